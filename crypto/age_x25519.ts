/**
 * age with X25519 recipients, streaming: the data key of a vault encrypts dataset archives at
 * untrusted destinations. Unattended jobs hold only the recipient (public key); restoring needs
 * the identity, which lives only in the vault. The output is a standard binary age file that the
 * `age` CLI decrypts with `age -d -i identity.txt`.
 * @module
 */
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { ParaduxError } from "../errors.ts";

/** An age X25519 key pair in age's text encodings (`AGE-SECRET-KEY-1...`, `age1...`). */
export interface DataKey {
  /** The secret identity: only inside the vault. */
  identity: string;
  /** The public recipient: safe in job files. */
  recipient: string;
}

/** Generates a new X25519 key pair. */
export async function generateDataKey(): Promise<DataKey> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The recipient of an identity. */
export function recipientOf(identity: string): Promise<string> {
  return identityToRecipient(identity);
}

/** True when `text` looks like an age X25519 recipient. */
export function isRecipient(text: string): boolean {
  return /^age1[02-9ac-hj-np-z]{58}$/.test(text);
}

/** Encrypts a stream to the given recipients; the result streams too. */
export async function encryptStream(
  recipients: readonly string[],
  input: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  if (recipients.length === 0) throw new ParaduxError("input", "no age recipient to encrypt to");
  const e = new Encrypter();
  for (const r of recipients) {
    if (!isRecipient(r)) {
      throw new ParaduxError("input", `not an age recipient: ${r.slice(0, 12)}...`);
    }
    e.addRecipient(r);
  }
  return await e.encrypt(input);
}

/** Decrypts a stream with any of the identities; errors surface while reading the stream. */
export async function decryptStream(
  identities: readonly string[],
  input: ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  const d = new Decrypter();
  for (const id of identities) d.addIdentity(id);
  try {
    return await d.decrypt(input);
  } catch (e) {
    if (e instanceof ParaduxError) throw e; // raised by the input stream (e.g. a damaged part)
    throw new ParaduxError("auth", "cannot decrypt the archive with the vault's data keys", {
      hint: "the archive was encrypted to another key, or it is damaged",
      cause: e,
    });
  }
}

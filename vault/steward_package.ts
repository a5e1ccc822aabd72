/**
 * The steward package: a letter to one steward (the user's contact details, the date and
 * Paradux version, k and the stewards currently named, the metadata locations, the vault key's
 * fingerprint, plain-language instructions), the steward's share (QR code and fallback text)
 * and the recovery card (QR codes and fallback text). Rendered as a PDF and as a `.txt` twin
 * whose frame sections (after the letter) are plain Ethernity v1 fallback text.
 *
 * The QR codes come first, on page one, so a scan finds them quickly; `recover` takes the PDF,
 * a scan of it, or the text twin.
 * @module
 */
import type { Layout } from "../paper/layout.ts";
import { renderTextDocument, type TextSection } from "../paper/pdf.ts";
import type { Documents, Steward } from "./documents.ts";
import { cardOf } from "./recovery_card.ts";
import { keyFingerprint, shareOf } from "./shares.ts";

/** How a package's text twin begins (then the steward's name): how inputs are recognised. */
export const STEWARD_PACKAGE_TITLE = "STEWARD PACKAGE FOR";

/** What the letter needs besides the documents. */
export interface PackageContext {
  /** Paradux version that made it. */
  version: string;
  /** When it was made. */
  now: Date;
}

/** A rendered package. */
export interface StewardPackage {
  /** The PDF. */
  pdf: Uint8Array;
  /** The text twin. */
  text: string;
  /** The share index it carries. */
  index: number;
  /** The card's doc id (hex). */
  cardId: string;
}

/** A URL with any password in its user-info part hidden (the letter is not secret). */
export function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:********@");
}

function contactLine(p: { email?: string; phone?: string; address?: string }): string {
  return [p.email, p.phone, p.address].filter((x) => x !== undefined && x !== "").join(", ");
}

function stewardById(docs: Documents, id: string): Steward {
  const s = docs.stewards.stewards.find((x) => x.id === id);
  if (s === undefined) throw new RangeError(`no steward ${id}`);
  return s;
}

/** The letter's sections as plain paragraphs (shared by the PDF and the text twin). */
export function letterSections(
  docs: Documents,
  stewardId: string,
  ctx: PackageContext,
): { heading: string; paragraphs: string[] }[] {
  const steward = stewardById(docs, stewardId);
  const owner = docs.user.name;
  const k = docs.secrets.threshold;
  const share = shareOf(docs.secrets, stewardId).issued;
  const date = ctx.now.toISOString().slice(0, 10);
  const others = docs.stewards.stewards.map((s) => {
    const c = contactLine(s);
    return `- ${s.name} (${s.id})${c === "" ? "" : ": " + c}`;
  });
  const locations = docs["metadata-locations"].locations.map((l) =>
    `- ${l.name}: ${hidePassword(l.url)}`
  );
  const ownerContact = contactLine(docs.user);
  return [
    {
      heading: `Dear ${steward.name},`,
      paragraphs: [
        `${owner} asks you to keep this package safe. It holds your share (number ${share.index}) ` +
        `of the recovery secret of ${owner}'s backups. On its own it reveals nothing; ` +
        `${k} shares together give the secret back, which opens the list of where ${owner}'s ` +
        "backups are and how to open them.",
        `Please keep it somewhere safe and private, and never give it to anyone except ${owner}, ` +
        `or to the person ${owner} named, in person, when they ask for help to recover.`,
        `${owner}'s contact details: ${ownerContact === "" ? "(none given)" : ownerContact}.`,
        `Made on ${date} by Paradux ${ctx.version}. If you receive a newer package, destroy ` +
        "this one: an old package may no longer work.",
      ],
    },
    {
      heading: `The stewards (${k} of them are needed)`,
      paragraphs: [others.join("\n")],
    },
    {
      heading: "Where the vault copies are",
      paragraphs: [
        locations.length === 0
          ? `(no metadata locations were named yet; ask ${owner}, or use a USB kit's copy)`
          : locations.join("\n"),
        `Vault key fingerprint: ${keyFingerprint(docs.secrets.signingPublicKey)}. ` +
        "Paradux checks that every share and the recovery card were signed by this key.",
      ],
    },
    {
      heading: "On the day it is needed",
      paragraphs: [
        `1. Meet ${owner} (or the person they named). Bring this package, or a scan or photo of it.`,
        `2. ${k} packages are needed. Get a vault copy from one of the places above (or from a ` +
        "USB kit), and a computer with Paradux; no administrator rights are needed.",
        "3. Run: paradux recover package-*.pdf --from vault-export.luks --install " +
        "(or --extract DIR to just read the documents). Scans and the typed text below work too; " +
        "Paradux corrects a single typo per frame and says where. Without Paradux, open " +
        "recovery-kit.html (beside the packages or on a USB kit) in any web browser and follow " +
        "its three steps; it works offline.",
        "4. Without Paradux: the codes and text below are in the open Ethernity v1 format; its " +
        "tools rebuild the recovery secret from the shares. The recovery card then explains how " +
        "to open the vault copy with cryptsetup and tar.",
      ],
    },
  ];
}

/** Renders one steward's package (the steward must hold a share of the current set). */
export async function renderStewardPackage(
  docs: Documents,
  stewardId: string,
  ctx: PackageContext,
  layout?: Layout,
): Promise<StewardPackage> {
  const steward = stewardById(docs, stewardId);
  const share = shareOf(docs.secrets, stewardId);
  const card = cardOf(docs.secrets);
  const n = card.mainFrames.length;
  const letter = letterSections(docs, stewardId, ctx);
  const sections: TextSection[] = [
    ...letter,
    {
      heading: `Your share (number ${share.issued.index}) - typed text`,
      paragraphs: ["If the codes cannot be read, this text can be typed in instead."],
      monospace: share.text.replace(/\n$/, "").split("\n"),
    },
    {
      heading: "The recovery card - typed text",
      paragraphs: [
        "The same for every steward. It is encrypted with the recovery secret; with the " +
        "shares it proves the secret is right.",
      ],
      monospace: card.recoveryText.replace(/\n$/, "").split("\n"),
    },
  ];
  const pdf = await renderTextDocument({
    title: `Steward package for ${steward.name}`,
    lines: [
      `from ${docs.user.name} - ${ctx.now.toISOString().slice(0, 10)} - Paradux ${ctx.version}`,
      `share ${share.issued.index}, ${docs.secrets.threshold} needed - card ${card.docIdHex}`,
    ],
    docIdHex: card.docIdHex,
    qrPayloads: [share.frame, ...card.mainFrames, card.authFrame],
    qrLabels: [
      `Share ${share.issued.index}`,
      ...card.mainFrames.map((_, i) => `Card ${i + 1} of ${n}`),
      "Card signature",
    ],
    sections,
    ...(layout === undefined ? {} : { layout }),
  });
  const text = [
    `${STEWARD_PACKAGE_TITLE} ${steward.name}`,
    `from ${docs.user.name}, ${ctx.now.toISOString().slice(0, 10)}, Paradux ${ctx.version}`,
    "",
    ...letter.flatMap((s) => [s.heading, "", ...s.paragraphs.flatMap((p) => [p, ""])]),
    "Everything below this line is Ethernity v1 fallback text: your share, then the",
    "recovery card. 'paradux recover' reads this whole file.",
    "",
    share.text.replace(/\n$/, ""),
    "",
    card.recoveryText.replace(/\n$/, ""),
    "",
  ].join("\n");
  return { pdf, text, index: share.issued.index, cardId: card.docIdHex };
}

/** The README of a USB kit. */
export function kitReadme(
  docs: Documents,
  stewardId: string,
  files: { export: string; binary: string | null },
  ctx: PackageContext,
): string {
  const steward = stewardById(docs, stewardId);
  const owner = docs.user.name;
  const k = docs.secrets.threshold;
  return [
    `PARADUX STEWARD KIT for ${steward.name}, from ${owner}`,
    `made ${ctx.now.toISOString().slice(0, 10)} by Paradux ${ctx.version}`,
    "",
    "What is here:",
    "  package.pdf   your letter, your share and the recovery card (print it)",
    "  package.txt   the same as text",
    `  ${files.export}   a copy of ${owner}'s vault; only the recovery secret opens it`,
    "  recovery-kit.html   open it in a web browser to recover without Paradux (offline)",
    files.binary === null
      ? "  (no Paradux program: get it from the Paradux project's releases)"
      : `  ${files.binary}   the Paradux program for Linux (x86-64)`,
    "",
    `When ${owner} needs it, ${k} stewards bring their packages together, then on any Linux`,
    "computer (no administrator rights needed):",
    `  ./paradux recover package.pdf OTHER-PACKAGES... --from ${files.export} --install`,
    "or, to read the documents only:",
    `  ./paradux recover package.pdf OTHER-PACKAGES... --from ${files.export} --extract DIR`,
    "",
    `Vault key fingerprint: ${keyFingerprint(docs.secrets.signingPublicKey)}`,
    "",
  ].join("\n");
}

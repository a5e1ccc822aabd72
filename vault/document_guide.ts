/**
 * What each user-edited document holds, with an example: shown as `//` comment lines at the top
 * of the text `paradux edit-*` opens (the editor's parser skips `//` line comments; what is
 * saved is plain JSON without them), and kept equal to the README's "Vault documents" examples
 * by a test that also validates those.
 * @module
 */
import type { Documents, EditableName } from "./documents.ts";
import { documentText, fileNameOf } from "./documents.ts";

/** The guide of one document: what it is for, its fields, an example. */
export interface DocumentGuide {
  /** One line: what the document is for. */
  about: string;
  /** `field  meaning` lines. */
  fields: string[];
  /** A valid example (it passes the schema and the edit checks). */
  example: Documents[EditableName];
}

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n";

/** Every editable document's guide. */
export const GUIDES: Readonly<Record<EditableName, DocumentGuide>> = {
  user: {
    about: "you: shown to your stewards in their letters",
    fields: [
      "name     your full name (required)",
      "email, phone, address   optional text (printed in the stewards' letters)",
      "notes    optional text (not printed)",
      "successor  optional { name, email?, phone?, address?, notes? }: the person who may",
      "         recover in your place when you cannot (next of kin, executor); the letters",
      "         tell your stewards to give their packages to this person then",
    ],
    example: {
      name: "Ada Lovelace",
      email: "ada@example.org",
      phone: "+44 20 7946 0000",
      address: "12 St James's Square, London",
      successor: {
        name: "Byron King",
        phone: "+44 20 7946 0999",
        email: "byron@example.org",
      },
    },
  },
  stewards: {
    about: "the friends who keep shares of your recovery secret (at least k of them)",
    fields: [
      'id       short name: lowercase letters, digits, dashes ("ann"); unique; never reused',
      "name     full name (required)",
      "email, phone, address, notes   optional text (printed in the packages)",
    ],
    example: {
      stewards: [
        { id: "ann", name: "Ann Smith", email: "ann@example.org", phone: "+44 7700 900001" },
        { id: "bob", name: "Bob Jones", address: "3 Mill Lane, Leeds" },
        { id: "cleo", name: "Cleo Park", notes: "my sister; keeps hers in her safe" },
      ],
    },
  },
  datasets: {
    about: "what is backed up: each dataset's source, local copy and destinations",
    fields: [
      "name          short name of the dataset (unique)",
      "source        { url, credentials? }: where the data is pulled from (file or rsync+ssh)",
      "localCopy     absolute path of the copy on this machine",
      "destinations  list of { name, url, frequency, credentials?, encrypt?, keep? }",
      "  url         file:///..., rsync+ssh://user@host/path, restic:..., s3://..., ftp://...",
      "  frequency   hourly, daily, weekly, monthly or a systemd OnCalendar expression",
      "  encrypt     true: age-encrypted archives only the vault's data key opens",
      "  keep        how many snapshots to keep restorable",
    ],
    example: {
      datasets: [{
        name: "home",
        source: {
          url: "rsync+ssh://ada@laptop.lan:22/~/",
          credentials: { sshKey: KEY, hostKey: "laptop.lan ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA" },
        },
        localCopy: "/var/lib/paradux/copies/home",
        destinations: [
          { name: "usb", url: "file:///mnt/usb/paradux/home", frequency: "daily", keep: 30 },
          {
            name: "cloud",
            url: "s3://ada-backups/home",
            frequency: "weekly",
            encrypt: true,
            credentials: { accessKeyId: "AKIA...", secretAccessKey: "..." },
          },
        ],
      }],
    },
  },
  "metadata-locations": {
    about: "where copies of the vault (openable only with the recovery secret) are published",
    fields: [
      "name         short name (unique)",
      "url          a location of any protocol (file:///..., s3://..., ...)",
      "credentials  what that protocol needs (optional)",
    ],
    example: {
      locations: [
        { name: "usb", url: "file:///mnt/usb/paradux-vault" },
        {
          name: "cloud",
          url: "s3://ada-backups/vault",
          credentials: { accessKeyId: "AKIA...", secretAccessKey: "..." },
        },
      ],
    },
  },
  settings: {
    about: "settings",
    fields: [
      "shareCapacity     how many shares the share set can hold (2-255, at least the stewards)",
      "publishAfterEdit  true: publish the vault to every metadata location after each edit",
    ],
    example: { shareCapacity: 16, publishAfterEdit: true },
  },
};

function commented(text: string): string[] {
  return text.trimEnd().split("\n").map((l) => `//   ${l}`);
}

/** The `//` comment lines that open document `name` in the editor. */
export function guideComment(name: EditableName): string {
  const g = GUIDES[name];
  return [
    `// ${fileNameOf(name)}: ${g.about}.`,
    "// Lines starting with // are ignored and not saved. Fields:",
    ...g.fields.map((f) => `//   ${f}`),
    "// Example:",
    ...commented(documentText(g.example)),
    "",
  ].join("\n");
}

/** The text the editor opens: the guide as comments, then the document. */
export function editorText(name: EditableName, value: unknown): string {
  return guideComment(name) + documentText(value);
}

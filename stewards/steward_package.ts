/**
 * The steward package: a letter to one steward, written for someone who is not technical (what
 * this is, when to hand it over and to whom, what never to do, who the owner and the other
 * stewards are, where the vault copies are in plain words, and step by step how the recovery is
 * done, with the commands to type), then the QR codes, each explained where it appears (the
 * steward's share, the recovery card), then the same as typed text. Rendered as a PDF and as a
 * `.txt` twin whose frame sections (after the letter) are plain Ethernity v1 fallback text.
 *
 * The letter prints only {@link PackageFacts} (and the date and version), whose digests are
 * recorded at export so that `status-stewards` sees when a printed detail changed. The command
 * lines of the letter run as printed in the folder the letter tells the reader to make
 * (tests/e2e/steward_letter_cli_test.ts). `recover` takes the PDF, a scan of it, or the twin.
 * @module
 */
import type { Layout } from "../paper/layout.ts";
import { type CodeBlock, renderTextDocument, type TextSection } from "../paper/pdf.ts";
import type { Documents, Steward } from "../vault/documents.ts";
import { type PackageFacts, packageFacts, type PrintedPerson } from "./package_facts.ts";
import { EXPORT_NAME } from "../vault/publish.ts";
import { cardOf } from "./recovery_card.ts";
import { keyFingerprint, shareOf } from "./shares.ts";

export { hidePassword } from "./package_facts.ts";

/** How a package's text twin begins (then the steward's name): how inputs are recognised. */
export const STEWARD_PACKAGE_TITLE = "STEWARD PACKAGE FOR";

/** Ethernity's home, printed as the way to recover without Paradux. */
export const ETHERNITY_URL = "https://github.com/MinorGlitch/ethernity";

/** The folder the letter has the reader make, and the one the vault documents go to. */
export const LETTER_FOLDERS = { work: "recovery", out: "vault-files" } as const;

/** The command lines the letter prints, in order (run in the folder it tells the reader to make). */
export const LETTER_COMMANDS: readonly string[] = [
  "chmod +x paradux",
  `./paradux recover */package.pdf --from ${EXPORT_NAME} --extract ${LETTER_FOLDERS.out}`,
];

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
  /** What it printed (their digests are recorded at export). */
  facts: PackageFacts;
}

/** One section of the letter: a heading, paragraphs and command lines. */
export interface LetterSection {
  /** The heading. */
  heading: string;
  /** Paragraphs ("\n" breaks a line) and command lines. */
  paragraphs: (string | CodeBlock)[];
}

function stewardById(docs: Documents, id: string): Steward {
  const s = docs.stewards.stewards.find((x) => x.id === id);
  if (s === undefined) throw new RangeError(`no steward ${id}`);
  return s;
}

function reach(p: PrintedPerson): string {
  return p.contacts.length === 0 ? "(no contact details given)" : p.contacts.join(", ");
}

function count(n: number): string {
  return ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"][n] ??
    String(n);
}

/** The letter's sections, from the package's facts (shared by the PDF and the text twin). */
export function letterSections(f: PackageFacts, ctx: PackageContext): LetterSection[] {
  const owner = f.owner.name;
  const k = f.threshold;
  const n = f.stewards.length;
  const date = ctx.now.toISOString().slice(0, 10);
  const successor = f.successor;
  const others = f.stewards.map((s) =>
    `- ${s.name}${s.id === f.steward.id ? " (you)" : ""}, folder name ${s.id}: ${reach(s)}`
  );
  const exportName = EXPORT_NAME;
  const places = f.locations.map((l) => `- ${l.words} (address: ${l.url})`);
  const who = successor === null ? owner : `${owner} or ${successor.name}`;
  return [
    {
      heading: `Dear ${f.steward.name},`,
      paragraphs: [
        `${owner} has asked you to keep this package for them. ${owner} keeps copies of their ` +
        "important files (documents, photos, passwords) in several places, and the key that " +
        "opens those copies is kept locked away. If the worst happens (a fire, a theft, a " +
        `forgotten password), the key can be rebuilt from pieces that ${owner} has given to ` +
        `${count(n)} people they trust. You are one of them: this package holds your piece.`,
        "Your piece alone is of no use to anyone: it reveals nothing. Any " +
        `${count(k)} of the ${count(n)} pieces together rebuild the key. Please keep it safe ` +
        `and private, with your important papers: if too many pieces are lost, ${owner} may ` +
        "never get their files back.",
        "You do not need to do anything else now. If you receive a newer package, destroy " +
        "this one (shred the paper, delete the file): an old package may no longer work.",
      ],
    },
    {
      heading: "When to hand it over, and to whom",
      paragraphs: [
        `Only when ${owner} asks you for it: give it to ${owner} in person, or in a way you are ` +
        `sure is really them (call them back on a number you already know).`,
        successor === null
          ? `${owner} has not named anyone to act for them. If ${owner} cannot ask (they have ` +
            "died, are very ill or cannot be reached for a long time), keep it, and talk to " +
            `the other people below and to ${owner}'s family before giving it to anyone.`
          : `If ${owner} cannot ask (they have died, are very ill or cannot be reached for a ` +
            `long time), give it to ${successor.name}, the person ${owner} named to act for ` +
            `them: ${reach(successor)}. If neither of them can be reached, keep it, and talk ` +
            "to the other people below.",
        `${owner} (or ${successor?.name ?? "the person helping"}) may ask you to help with ` +
        "the steps further down; you can also simply hand the package over.",
      ],
    },
    {
      heading: "What never to do",
      paragraphs: [
        "- Never photograph it to post or send it, never e-mail it or put it in a shared " +
        "folder or online.\n" +
        `- Never give it to anyone except ${who}, whatever they tell you, and never because ` +
        "of an e-mail, a message or a phone call alone: someone pretending to be them could " +
        "use it together with other pieces.\n" +
        "- Never write on the square codes or on the typed text, and do not fold, cut or " +
        "staple through them: they must stay readable.\n" +
        `- Never throw it away while ${owner} may still need it, unless a newer one replaces it.`,
      ],
    },
    {
      heading: "Who is who",
      paragraphs: [
        `${owner}: ${reach(f.owner)}.`,
        ...(successor === null
          ? []
          : [`${successor.name}, who acts for ${owner} if they cannot: ${reach(successor)}.`]),
        `The ${count(n)} people who keep pieces (any ${count(k)} of them are needed):\n` +
        others.join("\n"),
        `Made on ${date} by Paradux ${ctx.version}. Vault key fingerprint: ${f.fingerprint} ` +
        `(Paradux checks that every package was made with ${owner}'s key).`,
      ],
    },
    {
      heading: "How the recovery is done, step by step",
      paragraphs: [
        `${who} usually does this with the packages. If you are asked to help, or to do it ` +
        "yourself, this is how. You need a computer with Linux (a borrowed one is fine; no " +
        "administrator password is needed) and about an hour.",
        `1. Collect ${count(k)} packages: this one and ${count(k - 1)} more from the people ` +
        "above. Each package is a file called package.pdf (with a package.txt beside it), in " +
        `a folder named after its keeper (yours: ${f.steward.id}), or it is on paper.`,
        `2. Make a folder called ${LETTER_FOLDERS.work} on the computer. Copy each package's ` +
        `folder into it as it came, so that every package.pdf is in its own folder (for ` +
        `example ${LETTER_FOLDERS.work}/${f.steward.id}/package.pdf). For a paper package, ` +
        "scan every page into one PDF file (a phone's scanner app can do this), name it " +
        "package.pdf and put it in a folder named after its keeper.",
        `3. Get the copy of ${owner}'s locked vault: a file called ${exportName}. It is ` +
        `on the USB stick if ${owner} gave you one, and it is kept at ` +
        (places.length === 0
          ? `places ${owner} will tell you (none were named when this was made).`
          : `these places:\n${places.join("\n")}`),
        `Some of those places need a password only ${owner} had; try the others, or ask the ` +
        `other people above for their USB stick. Copy ${exportName} into the ` +
        `${LETTER_FOLDERS.work} folder.`,
        "4. Get the Paradux program: a single file called paradux. It is on the USB stick if " +
        `there is one; otherwise download paradux for Linux (x86-64) from the Paradux ` +
        `project's releases (version ${ctx.version} or newer). Put it into the ` +
        `${LETTER_FOLDERS.work} folder.`,
        `5. Open a terminal in the ${LETTER_FOLDERS.work} folder (on most Linux desktops: ` +
        'right-click inside the folder and choose "Open in Terminal"). Type these two ' +
        "lines exactly as printed, pressing Enter after each:",
        { code: [...LETTER_COMMANDS] },
        `It reads the packages, checks that they are genuine (made by ${owner}'s Paradux), ` +
        `rebuilds the key, opens the vault copy and puts what it holds in a new folder called ` +
        `${LETTER_FOLDERS.out}. If a code cannot be read it says which. A package that came ` +
        "only as PNG or JPEG pictures or as a package.txt file (no package.pdf) goes in its " +
        "keeper's folder too: type the names of its files on the line after */package.pdf " +
        `(for example: */package.pdf ${f.steward.id}/page-1.png ${f.steward.id}/page-2.png). ` +
        "Paradux corrects one typing mistake per block of typed text and says where.",
        `6. The ${LETTER_FOLDERS.out} folder holds ${owner}'s list of backups (where they are ` +
        `and the passwords that open them) and the 24 words of the key: keep it as private ` +
        `as the packages, and give it only to ${who}. To make it their working vault again ` +
        `on their own computer, ${who} types the same line with --install in place of ` +
        `--extract ${LETTER_FOLDERS.out} (it asks for a new passphrase), then ` +
        '"./paradux restore --help" explains how each backup comes back.',
        "Without Linux or a terminal: a file called recovery-kit.html is on the USB stick " +
        "and beside the packages when they were made. Open it in any web browser (Windows, " +
        "Mac or Linux; it needs no internet) and follow its three steps: add the packages " +
        `(PDF files, photos or the typed text), add ${exportName}, then save the documents.`,
        "Without Paradux: the codes and the typed text in this package are in the open " +
        `Ethernity v1 format. Ethernity's tools (${ETHERNITY_URL}, see its releases: a kit ` +
        "that works offline in a web browser, and a command-line program) rebuild the key " +
        "from the pieces' codes and the recovery card's codes; the card then shows the 24 " +
        "words and how to open the vault copy with the standard tools cryptsetup and tar.",
      ],
    },
  ];
}

/** The sections after the letter: the codes, each explained, and the same as typed text. */
function codeSections(
  f: PackageFacts,
  share: ReturnType<typeof shareOf>,
  card: ReturnType<typeof cardOf>,
): TextSection[] {
  const m = card.mainFrames.length;
  const owner = f.owner.name;
  return [
    {
      heading: `Your piece of the key (share number ${f.index}) - 1 code`,
      newPage: true,
      paragraphs: [
        "The pages from here on are for the computer. This square code is your piece of the " +
        `key (share number ${f.index}; any ${count(f.threshold)} are needed). The computer ` +
        "reads it from the PDF file, a scan or a photo. It is signed: a changed or forged " +
        "piece is refused.",
      ],
      qrPayloads: [share.frame],
      qrLabels: [`Your share (number ${f.index})`],
    },
    {
      heading: `The recovery card - ${m + 1} codes`,
      paragraphs: [
        `These ${count(m + 1)} codes are the same in every package. Together they are the ` +
        `recovery card: a short note locked with the key itself. Once the key is rebuilt, the ` +
        `card proves it is right and says how to open ${owner}'s vault copy. The codes ` +
        `"Card 1 of ${m}"${m > 1 ? ` to "Card ${m} of ${m}"` : ""} hold the card; the code ` +
        `"Card signature" proves it was made by ${owner}'s Paradux (key fingerprint ` +
        `${f.fingerprint}, card ${f.cardId}).`,
      ],
      qrPayloads: [...card.mainFrames, card.authFrame],
      qrLabels: [...card.mainFrames.map((_, i) => `Card ${i + 1} of ${m}`), "Card signature"],
    },
    {
      heading: `Your piece (share number ${f.index}) - typed text`,
      newPage: true,
      paragraphs: [
        "If the codes cannot be read, this text can be typed into a file instead, line by " +
        "line with its heading line, and given to Paradux or Ethernity in place of the PDF. " +
        "The line numbers on the left need not be typed.",
      ],
      monospace: share.text.replace(/\n$/, "").split("\n"),
    },
    {
      heading: "The recovery card - typed text",
      paragraphs: ["The same for every package: it stands for the card's codes above."],
      monospace: card.recoveryText.replace(/\n$/, "").split("\n"),
    },
  ];
}

/** A letter section as lines of text (code lines indented by four spaces). */
function sectionText(s: LetterSection): string[] {
  return [
    s.heading,
    "",
    ...s.paragraphs.flatMap((p) =>
      typeof p === "string" ? [p, ""] : [...p.code.map((c) => `    ${c}`), ""]
    ),
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
  const facts = packageFacts(docs, stewardId);
  const letter = letterSections(facts, ctx);
  const date = ctx.now.toISOString().slice(0, 10);
  const pdf = await renderTextDocument({
    title: `Steward package for ${steward.name}`,
    lines: [`A letter from ${docs.user.name}, ${date}, with a piece of a key for you to keep.`],
    sections: [...letter, ...codeSections(facts, share, card)],
    ...(layout === undefined ? {} : { layout }),
  });
  const text = [
    `${STEWARD_PACKAGE_TITLE} ${steward.name}`,
    `A letter from ${docs.user.name}, ${date}, Paradux ${ctx.version}`,
    "",
    ...letter.flatMap(sectionText),
    `Everything below this line is Ethernity v1 typed text: your piece (share number ${facts.index}),`,
    "then the recovery card. 'paradux recover' reads this whole file.",
    "",
    share.text.replace(/\n$/, ""),
    "",
    card.recoveryText.replace(/\n$/, ""),
    "",
  ].join("\n");
  return { pdf, text, index: share.issued.index, cardId: card.docIdHex, facts };
}

/** The README of a USB kit (the kit folder is the steward's folder of the letter's steps). */
export function kitReadme(
  docs: Documents,
  stewardId: string,
  files: { export: string; binary: string | null },
  ctx: PackageContext,
): string {
  const steward = stewardById(docs, stewardId);
  const owner = docs.user.name;
  const k = docs.secrets.threshold;
  const { work, out } = LETTER_FOLDERS;
  return [
    `PARADUX STEWARD KIT for ${steward.name}, from ${owner}`,
    `made ${ctx.now.toISOString().slice(0, 10)} by Paradux ${ctx.version}`,
    "",
    "What is here (this folder is your package's folder; keep its name, " + `${stewardId}):`,
    "  package.pdf   the letter to you, your piece of the key and the recovery card (print it)",
    "  package.txt   the same as text",
    `  ${files.export}   a copy of ${owner}'s locked vault; only the rebuilt key opens it`,
    "  recovery-kit.html   open it in a web browser to recover without a terminal (offline)",
    files.binary === null
      ? "  (no Paradux program here: get paradux for Linux from the Paradux project's releases)"
      : `  ${files.binary}   the Paradux program for Linux (x86-64)`,
    "",
    "Keep it safe and private; the letter in package.pdf says when to hand it over, to whom,",
    "and what never to do.",
    "",
    `When it is needed, ${k} packages are brought together. On a Linux computer (no administrator`,
    `password needed): make a folder called ${work}, copy this whole folder (${stewardId}) and the`,
    `other packages' folders into it, copy ${files.export} and paradux from this folder into`,
    `${work} itself, open a terminal in ${work} and type:`,
    ...LETTER_COMMANDS.map((c) => `  ${c}`),
    `The folder ${out} then holds ${owner}'s vault documents (keep them private). To make it`,
    `a working vault again, ${owner} types the same line with --install in place of --extract ${out}.`,
    "",
    `Vault key fingerprint: ${keyFingerprint(docs.secrets.signingPublicKey)}`,
    "",
  ].join("\n");
}

/// <reference lib="dom" />
/**
 * The recovery kit page (kit/page.html): wires the steps to kit/logic.ts. Bundled for the
 * browser by scripts/kit.ts into one offline HTML file; the zxing reader's .wasm rides in the
 * page as base64 (`<script id="zxing-wasm">`). Nothing here fetches or stores anything.
 * @module
 */
import { DOCUMENT_NAMES, type Documents, documentText, fileNameOf } from "../vault/documents.ts";
import { zipStored } from "./zip.ts";
import { isLuksHead } from "../recovery/recovery.ts";
import { scanImageBytes, useZxingWasm } from "../paper/scan.ts";
import { readBarcodes } from "zxing-wasm/reader";
import { grayPng, rasterisePdfRects } from "./pdf_pages.ts";
import {
  examineShares,
  explain,
  openVaultCopy,
  rebuildSecret,
  recoverPaperBackup,
  type ShareItem,
  type SharesReport,
} from "./logic.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

function el(tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string)[]) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}

let zxing: Promise<unknown> | undefined;
function ensureZxing(): Promise<unknown> {
  zxing ??= (() => {
    const b64 = ($("zxing-wasm").textContent ?? "").trim();
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return useZxingWasm(bytes.buffer);
  })();
  return zxing;
}

/** One file as share/page inputs: images are scanned, text is text, anything else bytes. */
async function itemOfFile(file: File): Promise<ShareItem> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const png = bytes[0] === 0x89 && bytes[1] === 0x50;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (png || jpeg) {
    await ensureZxing();
    const codes = await scanImageBytes(bytes, file.name);
    return { label: file.name, inputs: codes.map((value) => ({ value, label: file.name })) };
  }
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    await ensureZxing();
    let pages;
    try {
      pages = await rasterisePdfRects(bytes);
    } catch {
      throw new Error(`${file.name} cannot be read as a PDF: give a photo or screenshot instead`);
    }
    const codes: Uint8Array[] = [];
    for (const page of pages) codes.push(...await scanImageBytes(await grayPng(page), file.name));
    if (codes.length === 0) {
      throw new Error(
        `no QR codes found in ${file.name} (a scanned PDF is not read here): give a photo or ` +
          "screenshot of the page, or type its text",
      );
    }
    return { label: file.name, inputs: codes.map((value) => ({ value, label: file.name })) };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { label: file.name, inputs: [{ value: text, label: file.name }] };
  } catch {
    return { label: file.name, inputs: [{ value: bytes, label: file.name }] };
  }
}

// ---------------------------------------------------------------- vault recovery

const shares: ShareItem[] = [];
const failedShares: { label: string; error: string }[] = [];
let exportFile: { name: string; bytes: Uint8Array } | null = null;
/** The paper copy of the metadata (scans or its text), used when no export is given. */
const paperCopy: ShareItem[] = [];
let typedCount = 0;
let run = 0;

function renderShares(report: SharesReport): void {
  const list = $("shares-list");
  list.replaceChildren();
  report.statuses.forEach((s, i) => {
    const li = el(
      "li",
      { "data-state": s.state, "data-index": String(i) },
      el("span", { class: "what" }, s.label),
      ": ",
      el("span", { class: "message" }, s.message),
    );
    for (const r of s.repairs) li.append(el("div", { class: "repair" }, r));
    const remove = el("button", {
      type: "button",
      class: "remove",
      "aria-label": `remove ${s.label}`,
    }, "remove");
    remove.addEventListener("click", () => {
      shares.splice(i, 1);
      void update();
    });
    li.append(" ", remove);
    list.append(li);
  });
  for (const f of failedShares) {
    list.append(
      el("li", { "data-state": "error" }, el("span", { class: "what" }, f.label), ": ", f.error),
    );
  }
  const summary = $("shares-summary");
  if (report.statuses.some((s) => s.state === "mnemonic")) {
    summary.textContent = "The 24 words are given: no shares are needed.";
  } else if (report.threshold === null) {
    summary.textContent = report.statuses.length === 0 && failedShares.length === 0
      ? "No shares yet."
      : "No valid share yet.";
  } else if (report.needed > 0) {
    summary.textContent = `${report.have} of ${report.threshold} shares: add ${report.needed} ` +
      `more share${report.needed === 1 ? "" : "s"} from other stewards.`;
  } else {
    summary.textContent = `${report.have} of ${report.threshold} shares: enough.`;
  }
  summary.dataset.ready = String(report.ready);
}

function setStatus(id: string, state: string, text: string): void {
  const s = $(id);
  s.dataset.state = state;
  s.textContent = text;
}

async function update(): Promise<void> {
  const mine = ++run;
  const report = examineShares(shares);
  renderShares(report);
  $("vault-docs").replaceChildren();
  if (!report.ready) {
    setStatus(
      "vault-status",
      "waiting",
      report.threshold === null
        ? "Waiting for shares (step 1)."
        : "Waiting for more shares (step 1).",
    );
    return;
  }
  let secret;
  try {
    setStatus("vault-status", "working", "Rebuilding the recovery secret...");
    secret = await rebuildSecret(shares);
  } catch (e) {
    if (mine === run) showError("vault-status", e);
    return;
  }
  if (mine !== run) return;
  if (exportFile === null && paperCopy.length === 0) {
    setStatus(
      "vault-status",
      "waiting",
      "The recovery secret is rebuilt. Now give the vault copy (step 2).",
    );
    return;
  }
  try {
    setStatus("vault-status", "working", "Opening the vault copy...");
    const source = exportFile !== null ? { kind: "export" as const, ...exportFile } : {
      kind: "paper" as const,
      name: paperCopy.map((p) => p.label).join(", "),
      inputs: paperCopy.flatMap((p) => p.inputs),
    };
    const opened = await openVaultCopy(source, secret);
    if (mine !== run) return;
    setStatus(
      "vault-status",
      "done",
      `Recovered the vault of ${opened.docs.user.name}. Keep this information private.`,
    );
    renderDocuments(opened.docs, opened.warnings);
  } catch (e) {
    if (mine === run) showError("vault-status", e);
  }
}

function showError(id: string, e: unknown): void {
  const { error, hint } = explain(e);
  setStatus(id, "error", `Could not finish: ${error}${hint === undefined ? "" : ` (${hint})`}`);
}

function field(dl: HTMLElement, name: string, value: unknown): void {
  if (value === undefined || value === null || value === "") return;
  dl.append(el("dt", {}, name), el("dd", {}, String(value)));
}

function credentials(dl: HTMLElement, creds: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(creds ?? {})) {
    dl.append(el("dt", {}, k), el("dd", {}, v.includes("\n") ? el("pre", {}, v) : v));
  }
}

function renderDocuments(docs: Documents, warnings: string[]): void {
  const out = $("vault-docs");
  const root = el("div", { class: "docs", id: "docs" });
  const user = el("dl");
  field(user, "name", docs.user.name);
  field(user, "email", docs.user.email);
  field(user, "phone", docs.user.phone);
  field(user, "address", docs.user.address);
  field(user, "notes", docs.user.notes);
  root.append(el("section", { id: "doc-user" }, el("h3", {}, "Whose vault"), user));

  const ds = el(
    "section",
    { id: "doc-datasets" },
    el("h3", {}, "Their data and where the backups are"),
  );
  for (const d of docs.datasets.datasets) {
    const card = el("div", { class: "card", "data-dataset": d.name }, el("h4", {}, d.name));
    const dl = el("dl");
    field(dl, "backed up from", d.source.url);
    credentials(dl, d.source.credentials);
    field(dl, "local copy", d.localCopy);
    card.append(dl);
    for (const dest of d.destinations) {
      const dd = el("dl", { "data-destination": dest.name });
      field(dd, "backup", dest.name);
      field(dd, "location", dest.url);
      field(dd, "how often", dest.frequency);
      if (dest.encrypt === true) field(dd, "encrypted", "yes: open it with the data key below");
      field(dd, "snapshots kept", dest.keep);
      credentials(dd, dest.credentials);
      card.append(dd);
    }
    ds.append(card);
  }
  if (docs.datasets.datasets.length === 0) ds.append(el("p", {}, "No datasets."));
  root.append(ds);

  const st = el("section", { id: "doc-stewards" }, el("h3", {}, "Stewards"));
  for (const s of docs.stewards.stewards) {
    const dl = el("dl", { "data-steward": s.id });
    field(dl, "name", s.name);
    field(dl, "email", s.email);
    field(dl, "phone", s.phone);
    field(dl, "address", s.address);
    field(dl, "notes", s.notes);
    st.append(el("div", { class: "card" }, dl));
  }
  root.append(st);

  const ml = el("section", { id: "doc-locations" }, el("h3", {}, "Where copies of the vault are"));
  for (const l of docs["metadata-locations"].locations) {
    const dl = el("dl", { "data-location": l.name });
    field(dl, "name", l.name);
    field(dl, "location", l.url);
    credentials(dl, l.credentials);
    ml.append(el("div", { class: "card" }, dl));
  }
  root.append(ml);

  const keys = el("dl");
  field(keys, "vault id", docs.secrets.vaultId);
  field(keys, "data key (age identity)", docs.secrets.ageIdentity);
  for (const k of docs.secrets.retiredDataKeys ?? []) {
    field(keys, `older data key ${k.generation}`, k.identity);
  }
  field(keys, "recovery secret", docs.secrets.recoveryMnemonic);
  root.append(el("section", { id: "doc-keys" }, el("h3", {}, "Keys"), keys));

  if (warnings.length > 0) {
    root.append(
      el(
        "section",
        { id: "doc-warnings" },
        el("h3", {}, "Notes"),
        el("ul", {}, ...warnings.map((w) => el("li", {}, w))),
      ),
    );
  }
  const all: Record<string, unknown> = {};
  for (const name of DOCUMENT_NAMES) all[name] = docs[name];
  const json = JSON.stringify(all, null, 2) + "\n";
  const a = downloadLink(
    `paradux-vault-${docs.secrets.vaultId}.json`,
    new TextEncoder().encode(json),
    "Download all documents (JSON)",
  );
  a.id = "download-json";
  a.className = "button";
  // the same files as `paradux recover --extract DIR` writes
  const zip = downloadLink(
    `paradux-vault-${docs.secrets.vaultId}.zip`,
    zipStored(DOCUMENT_NAMES.map((name) => ({
      name: fileNameOf(name),
      data: new TextEncoder().encode(documentText(docs[name])),
    }))),
    "Download the documents (zip)",
  );
  zip.id = "download-zip";
  zip.className = "button secondary";
  root.prepend(el("p", { class: "downloads" }, a, " ", zip));
  out.replaceChildren(root);
  root.dataset.json = json;
}

function downloadLink(name: string, data: Uint8Array, text: string): HTMLAnchorElement {
  const url = URL.createObjectURL(
    new Blob([data as BlobPart], { type: "application/octet-stream" }),
  );
  return el("a", { href: url, download: name }, text) as HTMLAnchorElement;
}

async function addShareFiles(files: Iterable<File>): Promise<void> {
  for (const file of files) {
    try {
      shares.push(await itemOfFile(file));
    } catch (e) {
      failedShares.push({ label: file.name, error: explain(e).error });
    }
  }
  await update();
}

// ---------------------------------------------------------------- paper backups

const pages: ShareItem[] = [];
let pagesTyped = 0;

function renderPages(): void {
  const list = $("paper-list");
  list.replaceChildren(
    ...pages.map((p, i) => {
      const li = el(
        "li",
        { "data-state": "ok" },
        el("span", { class: "what" }, p.label),
        `: ${p.inputs.length} code${p.inputs.length === 1 ? "" : "s"} or text`,
      );
      const remove = el("button", { type: "button", class: "remove" }, "remove");
      remove.addEventListener("click", () => {
        pages.splice(i, 1);
        renderPages();
      });
      li.append(" ", remove);
      return li;
    }),
  );
}

async function recoverPaper(): Promise<void> {
  const out = $("paper-files-out");
  out.replaceChildren();
  try {
    setStatus("paper-status", "working", "Decrypting...");
    const got = await recoverPaperBackup(pages, ($("paper-pass") as HTMLInputElement).value);
    for (const f of got.files) {
      const name = f.path.split("/").at(-1) ?? f.path;
      const a = downloadLink(name, f.data, `Download ${f.path}`);
      a.dataset.path = f.path;
      out.append(el("li", {}, a, ` (${f.data.length} bytes)`));
    }
    const note = got.authenticated ? "" : " (not authenticated: signatures were not all checked)";
    setStatus(
      "paper-status",
      "done",
      `Recovered ${got.files.length} file${got.files.length === 1 ? "" : "s"}${note}.`,
    );
  } catch (e) {
    showError("paper-status", e);
  }
}

// ---------------------------------------------------------------- camera

let stream: MediaStream | null = null;
let cameraScans = 0;

async function startCamera(): Promise<void> {
  const status = $("camera-status");
  if (navigator.mediaDevices?.getUserMedia === undefined) {
    status.textContent = "This browser gives no camera here: choose photos instead.";
    $("camera").hidden = false;
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      // as sharp as the camera gives: a share's QR code has small modules
      video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1920 } },
    });
  } catch (e) {
    $("camera").hidden = false;
    status.textContent = `The camera could not start (${explain(e).error}): choose photos instead.`;
    return;
  }
  await ensureZxing();
  const video = $("camera-video") as HTMLVideoElement;
  video.srcObject = stream;
  $("camera").hidden = false;
  await video.play();
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const seen = new Set<string>();
  const tick = async () => {
    if (stream === null || ctx === null) return;
    if (video.videoWidth > 0) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = await readBarcodes(image, { formats: ["QRCode"], maxNumberOfSymbols: 16 });
      const fresh = found.filter((r) => r.isValid).map((r) => new Uint8Array(r.bytes))
        .filter((b) => !seen.has(b.join(",")));
      if (fresh.length > 0) {
        fresh.forEach((b) => seen.add(b.join(",")));
        const label = `camera scan ${++cameraScans}`;
        shares.push({ label, inputs: fresh.map((value) => ({ value, label })) });
        status.textContent = `Read ${fresh.length} code${
          fresh.length === 1 ? "" : "s"
        }. Hold the next share in front of the camera.`;
        await update();
      }
    }
    setTimeout(() => void tick(), 250);
  };
  void tick();
}

function stopCamera(): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
  stream = null;
  $("camera").hidden = true;
}

// ---------------------------------------------------------------- wiring

function dropZone(id: string, onFiles: (files: File[]) => void): void {
  const zone = $(id);
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    onFiles([...(e.dataTransfer?.files ?? [])]);
  });
}

function filesOf(input: HTMLInputElement): File[] {
  const files = [...(input.files ?? [])];
  input.value = "";
  return files;
}

async function setExport(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (isLuksHead(bytes)) {
    exportFile = { name: file.name, bytes };
    setStatus("export-summary", "done", `${file.name} (${file.size} bytes)`);
  } else {
    try {
      paperCopy.push(await itemOfFile(file));
    } catch (e) {
      setStatus("export-summary", "error", explain(e).error);
      return;
    }
    const codes = paperCopy.reduce((n, p) => n + p.inputs.length, 0);
    setStatus(
      "export-summary",
      "done",
      `the paper copy of the metadata: ${paperCopy.map((p) => p.label).join(", ")} ` +
        `(${codes} code${codes === 1 ? "" : "s"} or text${codes === 1 ? "" : "s"})`,
    );
  }
  await update();
}

function selectTab(which: "vault" | "paper"): void {
  for (const t of ["vault", "paper"] as const) {
    $(`tab-${t}`).setAttribute("aria-selected", String(t === which));
    $(`panel-${t}`).hidden = t !== which;
  }
}

function start(): void {
  $("tab-vault").addEventListener("click", () => selectTab("vault"));
  $("tab-paper").addEventListener("click", () => selectTab("paper"));
  const shareFiles = $<HTMLInputElement>("share-files");
  shareFiles.addEventListener("change", () => void addShareFiles(filesOf(shareFiles)));
  dropZone("share-drop", (files) => void addShareFiles(files));
  $("add-text").addEventListener("click", () => {
    const area = $<HTMLTextAreaElement>("share-text");
    if (area.value.trim() === "") return;
    const label = `typed text ${++typedCount}`;
    shares.push({ label, inputs: [{ value: area.value, label }] });
    area.value = "";
    void update();
  });
  const exportInput = $<HTMLInputElement>("export-file");
  const setExports = async (files: File[]) => {
    for (const f of files) await setExport(f);
  };
  exportInput.addEventListener("change", () => void setExports(filesOf(exportInput)));
  dropZone("export-drop", (files) => void setExports(files));
  $("camera-start").addEventListener("click", () => void startCamera());
  $("camera-stop").addEventListener("click", stopCamera);

  const paperFiles = $<HTMLInputElement>("paper-files");
  const addPages = async (files: File[]) => {
    for (const f of files) {
      try {
        pages.push(await itemOfFile(f));
      } catch (e) {
        setStatus("paper-status", "error", explain(e).error);
      }
    }
    renderPages();
    document.body.dataset.pages = String(pages.length);
  };
  paperFiles.addEventListener("change", () => void addPages(filesOf(paperFiles)));
  dropZone("paper-drop", (files) => void addPages(files));
  $("paper-add-text").addEventListener("click", () => {
    const area = $<HTMLTextAreaElement>("paper-text");
    if (area.value.trim() === "") return;
    const label = `typed page ${++pagesTyped}`;
    pages.push({ label, inputs: [{ value: area.value, label }] });
    area.value = "";
    renderPages();
    document.body.dataset.pages = String(pages.length);
  });
  $("paper-recover").addEventListener("click", () => void recoverPaper());
  document.body.dataset.ready = "true";
}

start();

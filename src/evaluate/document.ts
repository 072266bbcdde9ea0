/**
 * A small document model — sections of paragraphs, lists and tables — rendered both as
 * Markdown and as HTML, so the model card's two files say the same thing and every piece of
 * text is escaped once, in one place, for each format.
 */
import { escapeHtml } from "../validate/html.js";

/** A table cell: plain text, or text shown as code (names), or marked as a pass or failure. */
export type Cell = string | { text: string; code?: boolean; status?: "pass" | "fail" };

export type Block =
  | { kind: "p"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; head: string[]; rows: Cell[][]; numeric?: readonly number[] };

export interface Section {
  title: string;
  blocks: Block[];
}

/** Escape text for Markdown: no HTML, no table breaks, no emphasis from names. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([|*_`[\]#])/g, "\\$1")
    .replace(/\r?\n/g, " ");
}

function cellText(c: Cell): string {
  return typeof c === "string" ? c : c.text;
}

function markdownCell(c: Cell): string {
  if (typeof c === "string") return escapeMarkdown(c);
  if (c.code === true) {
    // A code span cannot hold its own fence reliably; names with backticks fall back to text.
    if (c.text.includes("`") || c.text.includes("\n")) return escapeMarkdown(c.text);
    return `\`${c.text.replace(/\|/g, "\\|")}\``;
  }
  const text = escapeMarkdown(c.text);
  return c.status === "fail" ? `**${text}**` : text;
}

/** The sections as Markdown, under a level-1 title. */
export function toMarkdown(title: string, sections: readonly Section[]): string {
  const out: string[] = [`# ${escapeMarkdown(title)}`, ""];
  for (const s of sections) {
    out.push(`## ${escapeMarkdown(s.title)}`, "");
    for (const b of s.blocks) {
      if (b.kind === "p") out.push(escapeMarkdown(b.text), "");
      else if (b.kind === "list") out.push(...b.items.map((i) => `- ${escapeMarkdown(i)}`), "");
      else {
        if (b.rows.length === 0) continue;
        const numeric = new Set(b.numeric ?? []);
        out.push(`| ${b.head.map(escapeMarkdown).join(" | ")} |`);
        out.push(`| ${b.head.map((_, i) => (numeric.has(i) ? "---:" : "---")).join(" | ")} |`);
        for (const r of b.rows) out.push(`| ${r.map(markdownCell).join(" | ")} |`);
        out.push("");
      }
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function htmlCell(c: Cell, numeric: boolean): string {
  const classes: string[] = [];
  if (numeric) classes.push("n");
  if (typeof c !== "string" && c.status !== undefined)
    classes.push(c.status === "pass" ? "pass" : "lv-error");
  const attr = classes.length > 0 ? ` class="${classes.join(" ")}"` : "";
  const text = escapeHtml(cellText(c));
  return `<td${attr}>${typeof c !== "string" && c.code === true ? `<code>${text}</code>` : text}</td>`;
}

/** One block as HTML. */
export function blockHtml(b: Block): string {
  if (b.kind === "p") return `<p>${escapeHtml(b.text)}</p>`;
  if (b.kind === "list") return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
  if (b.rows.length === 0) return "";
  const numeric = new Set(b.numeric ?? []);
  const head = b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const rows = b.rows
    .map((r) => `<tr>${r.map((c, i) => htmlCell(c, numeric.has(i))).join("")}</tr>`)
    .join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** The sections as HTML (a fragment: `<h2>` per section). */
export function sectionsHtml(sections: readonly Section[]): string {
  return sections
    .map((s) => `<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(blockHtml).join("\n")}`)
    .join("\n");
}

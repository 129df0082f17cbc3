import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** README.md as users read it. */
export function readme(): string {
  return fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf-8');
}

/** The lines of README's section under a heading (`## Name`), up to the next heading of the same level or higher. */
export function section(heading: string, text = readme()): string {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) {
    throw new Error(`README.md has no heading '${heading}'`);
  }
  const level = heading.indexOf(' ');
  let end = lines.length;
  let fenced = false;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].startsWith('```')) {
      fenced = !fenced;
    }
    const match = /^(#+) /.exec(lines[i]);
    if (!fenced && match && match[1].length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The first fenced code block of a section whose info string starts with `language`, without its fences. */
export function codeBlock(heading: string, language: string): string {
  const block = new RegExp('^```' + language + '(?: [^\\n]*)?\\n([\\s\\S]*?)^```$', 'm').exec(section(heading));
  if (!block) {
    throw new Error(`README.md has no ${language} block under '${heading}'`);
  }
  return block[1];
}

/** The cells of each body row of the first table of a section. */
export function tableRows(heading: string): string[][] {
  const rows = section(heading).split('\n').filter(line => line.startsWith('|'));
  return rows.slice(2).map(row => row.slice(1, -1).split(' | ').map(cell => cell.trim()));
}

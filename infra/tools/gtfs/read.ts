/** Reads a GTFS feed (a .zip or a folder of .txt files) into rows of its CSV files. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import yauzl, { type Entry } from 'yauzl';

export type Row = Record<string, string>;
export type Feed = Map<string, Row[]>;

/** RFC 4180 CSV (quotes, doubled quotes, CRLF, BOM) → rows keyed by the trimmed header. */
export function parseCsv(text: string): Row[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      rec.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      rec.push(field);
      field = '';
      if (rec.length > 1 || rec[0] !== '') records.push(rec);
      rec = [];
    } else field += c;
  }
  if (field !== '' || rec.length) {
    rec.push(field);
    if (rec.length > 1 || rec[0] !== '') records.push(rec);
  }
  if (!records.length) return [];
  const header = records[0].map((h) => h.trim());
  return records.slice(1).map((r) => {
    const row: Row = {};
    header.forEach((h, i) => (row[h] = (r[i] ?? '').trim()));
    return row;
  });
}

function readZip(path: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, string>();
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('cannot open zip'));
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: Entry) => {
        const name = basename(entry.fileName);
        if (/\/$/.test(entry.fileName) || !name.endsWith('.txt')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${name}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(name, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Loads every .txt file of the feed. */
export async function readFeed(path: string): Promise<Feed> {
  if (!existsSync(path)) throw new Error(`no such feed: ${path}`);
  const files = statSync(path).isDirectory()
    ? new Map(readdirSync(path).filter((f) => f.endsWith('.txt')).map((f) => [f, readFileSync(join(path, f), 'utf8')] as [string, string]))
    : await readZip(path);
  const feed: Feed = new Map();
  for (const [name, text] of files) feed.set(name.replace(/\.txt$/, ''), parseCsv(text));
  for (const required of ['agency', 'stops', 'routes', 'trips', 'stop_times']) {
    if (!feed.has(required)) throw new Error(`the feed has no ${required}.txt`);
  }
  return feed;
}

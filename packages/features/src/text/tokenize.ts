/** English function words dropped before TF-IDF (a compact list in the spirit of sklearn's). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being
  below between both but by can could did do does doing down during each few for from further had has
  have having he her here hers herself him himself his how i if in into is it its itself just me more
  most my myself no nor not now of off on once only or other our ours ourselves out over own same she
  should so some such than that the their theirs them themselves then there these they this those
  through to too under until up very was we were what when where which while who whom why will with
  would you your yours yourself yourselves s t don doesn didn isn aren wasn weren won wouldn shouldn
  couldn ll ve re d m o y ain ma mightn mustn needn shan hadn hasn haven may might must shall`
    .split(/\s+/)
    .filter(Boolean),
);

export type Stemming = 'none' | 'plural';

export interface TokenizeArgs {
  stopWords: 'english' | 'none';
  stemming: Stemming;
  minTokenLength: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Folds simple English plurals (`planes` → `plane`, `buses` → `bus`, `flies` → `fly`). */
export function stemPlural(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return word.slice(0, -3) + 'y';
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(ches|shes|sses|xes|zes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/**
 * Lower-cases (after NFKC normalisation), splits into Unicode letter/number words, drops a
 * trailing possessive `'s`, stop words and tokens shorter than `minTokenLength`.
 */
export function tokenize(text: string, args: TokenizeArgs): string[] {
  const out: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    let w = match[0].replace(/['’]s$/, '').replace(/['’]/g, '');
    if (w.length < args.minTokenLength) continue;
    if (args.stopWords === 'english' && ENGLISH_STOP_WORDS.has(w)) continue;
    if (args.stemming === 'plural') w = stemPlural(w);
    out.push(w);
  }
  return out;
}

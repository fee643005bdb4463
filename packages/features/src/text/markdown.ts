import MarkdownIt from 'markdown-it';
import { htmlToText } from './html.ts';

// Raw HTML inside Markdown is kept as HTML so that its scripts/styles are dropped like any page's.
const md = new MarkdownIt({ html: true, linkify: false });

/** Text of a Markdown document: rendered with markdown-it, then reduced to visible text. */
export function markdownToText(source: string): string {
  return htmlToText(md.render(source));
}

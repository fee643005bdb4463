import { getDocument, PasswordResponses } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { FeatureError } from '../errors.ts';

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

/**
 * Text of every page of a PDF (Mozilla pdf.js). A password-protected PDF is `ENCRYPTED_PDF`;
 * a damaged one is `CORRUPT_DOCUMENT`. PDFs that are encrypted with an empty user password
 * (print/copy restrictions only) open normally, as they do in any viewer.
 */
export async function pdfToText(bytes: Uint8Array): Promise<{ text: string; pages: number }> {
  // pdf.js takes ownership of (detaches) the buffer it is given: pass a copy.
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    const pages: string[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items as TextItemLike[]) {
        if (item.str !== undefined) text += item.str + (item.hasEOL === true ? '\n' : '');
      }
      pages.push(text.trim());
      page.cleanup();
    }
    return { text: pages.join('\n\n'), pages: doc.numPages };
  } catch (err) {
    const e = err as { name?: string; code?: number; message?: string };
    if (e.name === 'PasswordException')
      throw new FeatureError(
        'ENCRYPTED_PDF',
        e.code === PasswordResponses.INCORRECT_PASSWORD
          ? 'PDF is encrypted and the password is wrong'
          : 'PDF is password-protected; supply an unencrypted copy',
      );
    throw new FeatureError(
      'CORRUPT_DOCUMENT',
      `PDF could not be read: ${e.message ?? String(err)}`,
      {
        cause: err,
      },
    );
  } finally {
    await task.destroy();
  }
}

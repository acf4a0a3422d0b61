/**
 * Files in Teams (a letter as .docx). A bot cannot attach a file to a message: it offers it with a file
 * consent card in the person's personal chat; when they accept, Teams gives an upload URL in their own
 * OneDrive (a `fileConsent/invoke`), medbill PUTs the bytes there and shows a file card. So the bytes wait
 * in the database (held.ts) between the offer and the answer, for a day at most and only for the person they
 * were offered to (a letter holds placeholders, never an identifier), so the process that gets the answer,
 * whichever it is, uploads them. After a day an accepted offer is answered with "ask again".
 */
import { z } from 'zod';

export const FILE_CONSENT_CONTENT_TYPE = 'application/vnd.microsoft.teams.card.file.consent';
export const FILE_INFO_CONTENT_TYPE = 'application/vnd.microsoft.teams.card.file.info';
/** The key of the consent card's contexts: Teams sends it back with the answer. */
const CONTEXT_KEY = 'medbillFile';

export interface OfferedFile { name: string; mediaType: string; bytes: Buffer }

/** Where an accepted file may be uploaded outside dev mode: OneDrive for Business lives on SharePoint hosts. */
const ONEDRIVE_HOSTS = ['.sharepoint.com', '.sharepoint.us', '.sharepoint-mil.us', '.sharepoint.de', '.sharepoint.cn'];

export function isOneDriveUrl(url: string, extraHosts: string[] = []): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.toLowerCase();
  if (extraHosts.includes(host)) return true;
  return u.protocol === 'https:' && ONEDRIVE_HOSTS.some((suffix) => host.endsWith(suffix));
}

/** How long an offered file waits for the person's answer. */
export const FILE_TTL_MS = 24 * 60 * 60 * 1000;
export const FILE_KIND = 'file';

/** The consent card attachment that offers a held file. */
export function consentCard(file: OfferedFile, token: string, description: string) {
  const context = { [CONTEXT_KEY]: token };
  return {
    contentType: FILE_CONSENT_CONTENT_TYPE, name: file.name,
    content: { description, sizeInBytes: file.bytes.length, acceptContext: context, declineContext: context },
  };
}

/** The card that shows an uploaded file in the chat. */
export function fileInfoCard(upload: ConsentAnswer['uploadInfo'] & object) {
  return { contentType: FILE_INFO_CONTENT_TYPE, contentUrl: upload.contentUrl, name: upload.name, content: { uniqueId: upload.uniqueId, fileType: upload.fileType } };
}

const text = z.string().min(1).max(4000);
/** What Teams sends when the person answers a consent card (`invoke` named `fileConsent/invoke`). */
export const ConsentAnswerShape = z.object({
  type: z.literal('fileUpload').optional(),
  action: z.enum(['accept', 'decline']),
  context: z.looseObject({ [CONTEXT_KEY]: z.string().max(100) }),
  uploadInfo: z.looseObject({ name: text, uploadUrl: text, contentUrl: text, uniqueId: text, fileType: z.string().max(50) }).optional(),
});
export type ConsentAnswer = z.infer<typeof ConsentAnswerShape>;
export const tokenOf = (a: ConsentAnswer) => a.context[CONTEXT_KEY];

/** Puts the bytes at the upload URL Teams gave, in one request (a letter is a few KB; an upload session takes far more per request). */
export async function upload(url: string, bytes: Buffer): Promise<void> {
  const res = await fetch(url, {
    method: 'PUT', body: bytes, signal: AbortSignal.timeout(30_000),
    headers: { 'content-range': `bytes 0-${bytes.length - 1}/${bytes.length}` },
  });
  if (!res.ok) throw new Error(`the upload answered ${res.status}`);
}

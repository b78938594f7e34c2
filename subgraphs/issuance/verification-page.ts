import express, { type Express } from 'express';
import { escapeHtml } from '../../lib/html.js';
import type { IssuanceService } from './context.js';
import { readUnverified } from './seal.js';
import { NotACredential, verifyCredential, type VerificationResult } from './verify.js';

/*
 * The verification page: a person (an employer's clerk, an admissions office)
 * pastes or opens a credential and sees what it says and every check with its
 * reason. Plain HTML with its stylesheet and script served here: no CDN, no
 * fonts from elsewhere, works offline and behind any proxy. The script only
 * reads a chosen file into the form; the page works without it.
 */

export const PAGE_ROUTES = { page: '/credentials/verification', assets: '/credentials/verification/assets' } as const;

const escape = escapeHtml;

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1f;background:#f6f7fb}
header{background:#1f3c88;color:#fff;padding:1rem 2rem}header h1{margin:0;font-size:1.4rem}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}
section{background:#fff;border-radius:.5rem;padding:1rem 1.5rem;margin-bottom:1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
textarea{width:100%;min-height:10rem;font-family:ui-monospace,monospace;font-size:.8rem}
button{background:#1f3c88;color:#fff;border:0;border-radius:.3rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #e3e5ee;vertical-align:top}
.ok{color:#13692f;font-weight:600}.no{color:#a4161a;font-weight:600}
.verdict{font-size:1.3rem;padding:.8rem 1rem;border-radius:.4rem}.verdict.ok{background:#e4f5e9}.verdict.no{background:#fde8e8}
img.rendering{max-width:100%;border:1px solid #e3e5ee}dl{display:grid;grid-template-columns:12rem 1fr;gap:.3rem 1rem}dt{color:#555}`;

const SCRIPT = `document.addEventListener('DOMContentLoaded',function(){var f=document.getElementById('file'),t=document.getElementById('credential');if(!f||!t)return;f.addEventListener('change',function(){var r=new FileReader();r.onload=function(){t.value=String(r.result).trim()};if(f.files&&f.files[0])r.readAsText(f.files[0])})});`;

function layout(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Verify an ECIU credential</title><link rel="stylesheet" href="${PAGE_ROUTES.assets}/page.css"><script src="${PAGE_ROUTES.assets}/page.js" defer></script></head>
<body><header><h1>Verify an ECIU credential</h1></header><main>${body}</main></body></html>`;
}

function form(value = ''): string {
  return `<section><form method="post" action="${PAGE_ROUTES.page}">
<p>Paste the credential (a <code>vc+jwt</code>, or the JAdES JSON a Europass export holds), or open its file.</p>
<p><input type="file" id="file" accept=".json,.jsonld,.jwt,.txt,application/json"></p>
<p><textarea id="credential" name="credential" required>${escape(value)}</textarea></p><p><button type="submit">Verify</button></p></form></section>`;
}

type Node = Record<string, any>;
const first = (value: unknown): Node | undefined => (Array.isArray(value) ? value[0] : value) as Node | undefined;
const text = (value: unknown): string => {
  const node = first(value);
  if (!node || typeof node !== 'object') return typeof node === 'string' ? node : '';
  return String(node['en'] ?? Object.values(node)[0] ?? '');
};

/** What a person needs to see of the claim, read from the credential (only shown when its seal holds). */
function content(credential: Node): string {
  const subject = first(credential['credentialSubject']) ?? {};
  const claim = first(subject['hasClaim']) ?? {};
  const specification = first(claim['specifiedBy']) ?? {};
  const awarding = first(first(claim['awardedBy'])?.['awardingBody']) ?? {};
  const credit = first(claim['creditReceived'])?.['point'];
  const outcomes = (Array.isArray(specification['learningOutcome']) ? specification['learningOutcome'] : specification['learningOutcome'] ? [specification['learningOutcome']] : []) as Node[];
  const image = first(credential['displayParameter'])?.['individualDisplay'];
  const media = first(first(first(image)?.['displayDetail'])?.['image']);
  const rows: [string, string][] = [
    ['Learner', text(subject['fullName'])],
    ['Title', text(claim['title'])],
    ['Awarded by', `${text(awarding['legalName'])}`],
    ['Issued', String(credential['issued'] ?? credential['validFrom'] ?? '')],
    ['Credit', credit ? `${credit} ECTS` : 'no ECTS credits'],
    ['Level', text(first(specification['eqfLevel'] ?? specification['educationLevel'])?.['prefLabel'])],
    ['Credential id', String(credential['id'] ?? '')],
  ];
  return `<section><h2>What it says</h2><dl>${rows.map(([name, value]) => `<dt>${escape(name)}</dt><dd>${escape(value)}</dd>`).join('')}</dl>
${outcomes.length ? `<h3>Learning outcomes</h3><ul>${outcomes.map((outcome) => `<li>${escape(text(outcome['title']))}</li>`).join('')}</ul>` : ''}
${typeof media?.['content'] === 'string' && /^[A-Za-z0-9+/=]+$/.test(media['content']) ? `<h3>As issued</h3><img class="rendering" alt="The credential as rendered by its issuer" src="data:image/svg+xml;base64,${media['content']}">` : ''}</section>`;
}

function report(result: VerificationResult, credential: Node | undefined): string {
  const verdict = result.verified ? `<p class="verdict ok">Verified: every check passed.</p>` : `<p class="verdict no">Not verified: see the checks below.</p>`;
  const checks = `<table><thead><tr><th>Check</th><th>Result</th><th>Why</th></tr></thead><tbody>${result.checks
    .map((check) => `<tr><td>${escape(check.check)}</td><td class="${check.passed ? 'ok' : 'no'}">${check.passed ? 'passed' : 'failed'}</td><td>${escape(check.reason)}</td></tr>`)
    .join('')}</tbody></table>`;
  const sealed = result.checks.find((check) => check.check === 'signature')?.passed;
  return `<section>${verdict}<p>Issuer: ${escape(result.issuer ?? 'not named')} · form: ${escape(result.format)}</p>${checks}</section>${sealed && credential ? content(credential) : ''}`;
}

function credentialOf(input: string): Node | undefined {
  const trimmed = input.trim();
  if (trimmed.startsWith('{')) {
    try {
      const document = JSON.parse(trimmed) as { payload?: unknown };
      return typeof document.payload === 'string' ? (JSON.parse(document.payload) as Node) : undefined;
    } catch {
      return undefined;
    }
  }
  return readUnverified(trimmed).credential as Node | undefined;
}

export function mountVerificationPage(app: Express, service: IssuanceService): void {
  const html = (response: express.Response, status: number, body: string) => {
    // The page never embeds anything from elsewhere; credentials pasted into it are no one else's business.
    response.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'");
    response.setHeader('cache-control', 'no-store');
    response.status(status).type('html').send(layout(body));
  };
  app.get(`${PAGE_ROUTES.assets}/page.css`, (_request, response) => {
    response.setHeader('cache-control', 'public, max-age=86400');
    response.type('text/css').send(CSS);
  });
  app.get(`${PAGE_ROUTES.assets}/page.js`, (_request, response) => {
    response.setHeader('cache-control', 'public, max-age=86400');
    response.type('text/javascript').send(SCRIPT);
  });
  app.get(PAGE_ROUTES.page, (_request, response) => html(response, 200, form()));
  app.post(PAGE_ROUTES.page, express.urlencoded({ extended: false, limit: '2mb' }), async (request, response, next) => {
    const input = (request.body as { credential?: unknown } | undefined)?.credential;
    if (typeof input !== 'string' || input.trim() === '') {
      html(response, 400, `<section><p class="no">Paste a credential first.</p></section>${form()}`);
      return;
    }
    try {
      const result = await verifyCredential(input, service.verification);
      html(response, 200, report(result, credentialOf(input)) + form());
    } catch (error) {
      if (error instanceof NotACredential) {
        html(response, 422, `<section><p class="no">This is not a credential the hub can read: ${escape(error.message)}.</p></section>${form(input.slice(0, 5000))}`);
        return;
      }
      next(error);
    }
  });
}

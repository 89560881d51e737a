// Run by io.cairn.transport.ws.BrowserTest: opens a page in headless Chromium (Debian's, not a downloaded one)
// through playwright-core, waits until the page shows a received message in #received, and prints one JSON line
// with that text and the page's status. Usage: node browser.mjs <page url> <chromium executable>
import { chromium } from 'playwright-core';

const [url, executablePath] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true });
let status = '';
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.error('[page] ' + m.text()));
  await page.goto(url);
  try {
    await page.waitForFunction(() => document.getElementById('received').textContent !== '', null,
      { timeout: 20000 });
  } finally {
    status = await page.textContent('#status');
  }
  console.log(JSON.stringify({ received: await page.textContent('#received'), status }));
} catch (e) {
  console.log(JSON.stringify({ error: String(e.message || e).split('\n')[0], status }));
  process.exitCode = 1;
} finally {
  await browser.close();
}

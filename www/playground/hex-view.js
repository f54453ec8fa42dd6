// A hex dump of a module that renders only the rows in view (a 20 MB module is 1.3M rows), labels each row with
// its section, and highlights one byte — the offset a violation points at — scrolling it into view.

import { sectionAt } from './wasm-sections.js';

const BYTES_PER_ROW = 16;
const ROW_PX = 20; // must match .hex-row's height in playground.css
// Browsers cap an element's height (~33M px in Chromium); past this, scroll positions map to rows by ratio.
const MAX_SPACER_PX = 8_000_000;
const OVERSCAN = 4;

const hex2 = (n) => n.toString(16).padStart(2, '0');
const printable = (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');

export class HexView {
  #scroller;
  #spacer;
  #window;
  #bytes = new Uint8Array();
  #sections = [];
  #highlight = null; // { offset, length }
  #rows = 0;
  #frame = 0;

  /** @param {HTMLElement} scroller an element with a fixed height; the view fills it */
  constructor(scroller) {
    this.#scroller = scroller;
    this.#spacer = document.createElement('div');
    this.#spacer.className = 'hex-spacer';
    this.#window = document.createElement('div');
    this.#window.className = 'hex-window';
    this.#spacer.append(this.#window);
    scroller.replaceChildren(this.#spacer);
    scroller.addEventListener('scroll', () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(scroller);
  }

  /** Shows `bytes`; `sections` (wasm-sections.js) label the rows. Clears the highlight. */
  setBytes(bytes, sections = []) {
    this.#bytes = bytes;
    this.#sections = sections;
    this.#highlight = null;
    this.#rows = Math.ceil(bytes.length / BYTES_PER_ROW);
    this.#spacer.style.height = `${Math.min(this.#rows * ROW_PX, MAX_SPACER_PX)}px`;
    this.#scroller.scrollTop = 0;
    this.#render();
  }

  /** Highlights `length` bytes at `offset` and scrolls them into view (a third down the viewport). */
  highlight(offset, length = 1) {
    if (!(offset >= 0 && offset < this.#bytes.length)) return false;
    this.#highlight = { offset, length: Math.max(1, Math.min(length, this.#bytes.length - offset)) };
    const row = Math.floor(offset / BYTES_PER_ROW);
    const target = Math.max(0, row - Math.floor(this.#fullRows() / 3));
    this.#scroller.scrollTop = this.#scaled()
      ? (Math.min(target, this.#lastFirstRow()) / Math.max(1, this.#lastFirstRow())) * this.#scrollRange()
      : target * ROW_PX;
    this.#render();
    return true;
  }

  /** The section name at `offset`, for announcements. */
  sectionName(offset) {
    return sectionAt(this.#sections, offset)?.name ?? null;
  }

  #scaled() {
    return this.#rows * ROW_PX > MAX_SPACER_PX;
  }

  #visibleRows() {
    return Math.max(1, Math.ceil(this.#scroller.clientHeight / ROW_PX));
  }

  /** Rows that fit entirely in the viewport. */
  #fullRows() {
    return Math.max(1, Math.floor(this.#scroller.clientHeight / ROW_PX));
  }

  /** Scaled mode: the first row shown at the bottom of the scroll range, so the last row is fully visible. */
  #lastFirstRow() {
    return Math.max(0, this.#rows - this.#fullRows());
  }

  #scrollRange() {
    return Math.max(1, this.#spacer.offsetHeight - this.#scroller.clientHeight);
  }

  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#render();
    });
  }

  #render() {
    const visible = this.#visibleRows();
    const scrollTop = this.#scroller.scrollTop;
    let first;
    let top;
    if (this.#scaled()) {
      first = Math.round(Math.min(1, scrollTop / this.#scrollRange()) * this.#lastFirstRow());
      top = scrollTop;
    } else {
      first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
      top = first * ROW_PX;
    }
    const last = Math.min(this.#rows, first + visible + 2 * OVERSCAN);
    this.#window.style.transform = `translateY(${top}px)`;
    const rows = [];
    for (let row = first; row < last; row++) rows.push(this.#row(row));
    this.#window.replaceChildren(...rows);
  }

  #row(row) {
    const start = row * BYTES_PER_ROW;
    const end = Math.min(this.#bytes.length, start + BYTES_PER_ROW);
    const line = document.createElement('div');
    line.className = 'hex-row';
    const address = document.createElement('span');
    address.className = 'hex-addr';
    address.textContent = start.toString(16).padStart(8, '0');
    const hexCells = document.createElement('span');
    hexCells.className = 'hex-bytes';
    let ascii = '';
    const hl = this.#highlight;
    for (let at = start; at < end; at++) {
      const cell = document.createElement('span');
      cell.className = 'byte';
      cell.dataset.offset = String(at);
      cell.textContent = hex2(this.#bytes[at]);
      if (hl && at >= hl.offset && at < hl.offset + hl.length) {
        cell.classList.add('hl');
        if (at === hl.offset) cell.setAttribute('aria-current', 'location');
      }
      hexCells.append(cell);
      ascii += printable(this.#bytes[at]);
    }
    const text = document.createElement('span');
    text.className = 'hex-ascii';
    text.textContent = ascii;
    const section = document.createElement('span');
    section.className = 'hex-section';
    section.textContent = sectionAt(this.#sections, start)?.name ?? '';
    line.append(address, hexCells, text, section);
    return line;
  }
}

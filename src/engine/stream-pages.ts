/**
 * Where finished runs' stream logs keep their text: pages of 1 MiB outside the JavaScript
 * heap, filled one log after another and freed whole once every log on them is gone.
 *
 * Why pages: as strings, finished logs (tens of KiB per `values` event, evicted in a steady
 * stream under load) left the heap's pages fragmented, measured at about twice the live
 * size committed; as one buffer per log, the C allocator kept what they had freed (40 MiB
 * still resident when idle). A page is large enough to be mapped and unmapped on its own,
 * and logs leave in about the order they came (oldest first, by the byte budget or their
 * retention), so a page empties soon after the logs on it are dropped.
 */

const PAGE_BYTES = 1024 * 1024;

interface Page {
  bytes: Buffer;
  used: number;
  /** Logs stored here and not yet released. */
  live: number;
}

/** A finished log's events as UTF-8 JSON on a page: event `i` is `bytes[start + ends[i-1] .. start + ends[i]]`. */
export interface PackedEvents {
  page: Page;
  start: number;
  ends: number[];
  /** Its size in bytes. */
  length: number;
}

export class StreamPages {
  #current: Page | null = null;

  /**
   * Stores the texts of one log, one after another, encoded straight onto the page: a Buffer
   * per event first would be one more allocation of its size outside the heap, what pages avoid.
   */
  store(texts: string[]): PackedEvents {
    const ends: number[] = [];
    let length = 0;
    for (const text of texts) ends.push((length += Buffer.byteLength(text, 'utf8')));
    const page = this.#pageFor(length);
    const start = page.used;
    for (const text of texts) page.used += page.bytes.write(text, page.used, 'utf8');
    page.live += 1;
    return { page, start, ends, length };
  }

  /** The log does not need its text any more (readers already holding it can still read it). */
  release(packed: PackedEvents): void {
    packed.page.live -= 1;
    // An empty page that is not being filled has no references left here: it is freed.
  }

  /** The same log with one more event (a late event after the run's stream closed: rare). */
  append(packed: PackedEvents, text: string): PackedEvents {
    const texts = packed.ends.map((_end, index) => eventText(packed, index));
    this.release(packed);
    return this.store([...texts, text]);
  }

  #pageFor(length: number): Page {
    // A log bigger than half a page gets a page of its own.
    if (length > PAGE_BYTES / 2) return { bytes: Buffer.allocUnsafeSlow(length), used: 0, live: 0 };
    if (!this.#current || this.#current.used + length > PAGE_BYTES) {
      this.#current = { bytes: Buffer.allocUnsafeSlow(PAGE_BYTES), used: 0, live: 0 };
    }
    return this.#current;
  }

  /** Forgets the page being filled (every log was released: nothing is kept for later). */
  reset(): void {
    if (this.#current?.live === 0) this.#current = null;
  }
}

export function eventText(packed: PackedEvents, index: number): string {
  const from = packed.start + (index === 0 ? 0 : packed.ends[index - 1]!);
  return packed.page.bytes.toString('utf8', from, packed.start + packed.ends[index]!);
}

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

/** A page is freed by the collector once no log on it is referenced (the broker forgets logs; readers let go). */
interface Page {
  bytes: Buffer;
  used: number;
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
    return { page, start, ends, length };
  }

  /** The same log with one more event (a late event after the run's stream closed: rare). */
  append(packed: PackedEvents, text: string): PackedEvents {
    const texts = packed.ends.map((_end, index) => eventText(packed, index));
    return this.store([...texts, text]);
  }

  #pageFor(length: number): Page {
    // A log bigger than half a page gets a page of its own.
    if (length > PAGE_BYTES / 2) return { bytes: Buffer.allocUnsafeSlow(length), used: 0 };
    if (!this.#current || this.#current.used + length > PAGE_BYTES) {
      this.#current = { bytes: Buffer.allocUnsafeSlow(PAGE_BYTES), used: 0 };
    }
    return this.#current;
  }

  /** Lets go of the page being filled, for when no log is kept any more (a quiet server's release). */
  reset(): void {
    this.#current = null;
  }
}

export function eventText(packed: PackedEvents, index: number): string {
  const from = packed.start + (index === 0 ? 0 : packed.ends[index - 1]!);
  return packed.page.bytes.toString('utf8', from, packed.start + packed.ends[index]!);
}

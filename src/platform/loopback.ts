/** Where the LangGraph Platform keeps its in-process fetch of the API (custom routes and webhooks use it). */
const LOOPBACK_FETCH = Symbol.for('langgraph_api:fetch');

type LoopbackFetch = (url: string, init?: RequestInit) => Promise<Response>;
const slot = globalThis as Record<symbol, unknown>;

/** The API of this process, fetched in-process, once the HTTP app is bound; undefined before. */
export function loopbackFetch(): LoopbackFetch | undefined {
  return slot[LOOPBACK_FETCH] as LoopbackFetch | undefined;
}

/** Makes `fetchLoopback` the process's loopback fetch; the returned function unbinds it (if still the one bound). */
export function setLoopbackFetch(fetchLoopback: LoopbackFetch): () => void {
  slot[LOOPBACK_FETCH] = fetchLoopback;
  return () => {
    if (slot[LOOPBACK_FETCH] === fetchLoopback) delete slot[LOOPBACK_FETCH];
  };
}

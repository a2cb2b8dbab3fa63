// Page-number pagination (contract 1.5). Both official pagers stop only on an empty page; we also
// stop once `page ≥ total_page`, which saves the extra request and protects against a server
// that repeats its last page instead of returning an empty one.

export interface PageShape {
  itemCount: number;
  totalPages: number;
}

/**
 * Fetches page `startPage`, `startPage + 1`, … and yields each non-empty page. Ends on an empty
 * page or after the page numbered `totalPages` (whichever comes first).
 */
export async function* iteratePages<P>(
  fetchPage: (page: number) => Promise<P>,
  shape: (page: P) => PageShape,
  startPage = 1,
): AsyncGenerator<P, void, undefined> {
  for (let page = startPage; ; page++) {
    const result = await fetchPage(page);
    const { itemCount, totalPages } = shape(result);
    if (itemCount === 0) return;
    yield result;
    if (page >= totalPages) return;
  }
}

/**
 * Previous / next page buttons and "Page 2 of 6", shown when the tiles take more than one page.
 * At either end the button stays focusable and says it is unavailable (aria-disabled), so a
 * keyboard user's focus does not fall out of the controls.
 */
export function Pager({
  page,
  pageCount,
  goTo,
  label,
}: {
  page: number;
  pageCount: number;
  goTo: (page: number) => void;
  label: string;
}) {
  if (pageCount <= 1) return null;
  const first = page === 0;
  const last = page >= pageCount - 1;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        aria-label="Previous page"
        aria-disabled={first || undefined}
        onClick={() => {
          if (!first) goTo(page - 1);
        }}
      >
        <span aria-hidden="true">‹</span> Previous
      </button>
      <span className="pager-status" role="status" data-testid="page-status">
        Page {page + 1} of {pageCount}
      </span>
      <button
        type="button"
        aria-label="Next page"
        aria-disabled={last || undefined}
        onClick={() => {
          if (!last) goTo(page + 1);
        }}
      >
        Next <span aria-hidden="true">›</span>
      </button>
    </nav>
  );
}

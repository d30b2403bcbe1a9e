/** The button under a paged list that appends its next page; absent when there is none. */
import type { PagedList } from '../hooks.js';

export function LoadMore({
  list,
  label,
}: {
  list: Pick<PagedList<unknown>, 'hasMore' | 'loadMore'>;
  label: string;
}) {
  if (!list.hasMore) return null;
  return (
    <button type="button" class="quiet" onClick={() => void list.loadMore()}>
      {label}
    </button>
  );
}

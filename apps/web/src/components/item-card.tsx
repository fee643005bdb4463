/** One item (image thumbnail or document snippet) with its site, labels and optional score. */
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { ItemCardFragment } from '../generated/graphql.ts';

export function ItemCard({
  item,
  score,
  children,
}: {
  item: ItemCardFragment;
  score?: number;
  children?: ReactNode;
}) {
  return (
    <article className="card" data-testid="item-card" data-modality={item.modality}>
      <Link href={`/items/${item.id}`} aria-label={`Open ${item.externalKey ?? item.id}`}>
        {item.modality === 'IMAGE' ? (
          <div className="thumb">
            {item.thumbnail ? (
              // Thumbnails are small data: URLs from the API; next/image adds nothing here.
              <img src={item.thumbnail} alt={item.externalKey ?? 'image item'} />
            ) : (
              <span className="muted small">no preview</span>
            )}
          </div>
        ) : (
          <div className="snippet">{item.snippet ?? <span className="muted">empty</span>}</div>
        )}
      </Link>
      <div className="meta">
        {score !== undefined ? (
          <div>
            score <span className="score">{score.toFixed(3)}</span>
          </div>
        ) : null}
        <div className="muted">{item.site.name}</div>
        <div className="chips" data-testid="item-labels">
          {item.labels.map((l) => (
            <span key={l.id} className="badge">
              {l.name}
            </span>
          ))}
        </div>
      </div>
      {children ? <div className="actions">{children}</div> : null}
    </article>
  );
}

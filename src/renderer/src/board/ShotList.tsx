import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, type KeyboardEvent } from 'react';
import { useStudio } from '../store/context';
import { ShotCard } from './ShotCard';

const ESTIMATED_CARD_PX = 220;

/**
 * The shots, virtualized: a board of 500 shots renders only the cards in view. Arrow keys
 * (and j/k) move between cards, Enter opens a card's takes.
 */
export function ShotList() {
  const shotIds = useStudio((state) => state.document?.storyboard.shots.map((shot) => shot.id).join('\u0000') ?? '');
  const openDialog = useStudio((state) => state.openDialog);
  const ids = shotIds ? shotIds.split('\u0000') : [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: ids.length, getScrollElement: () => scroller.current, estimateSize: () => ESTIMATED_CARD_PX, overscan: 4 });

  const focusCard = useCallback(
    (index: number) => {
      virtualizer.scrollToIndex(index, { align: 'auto' });
      // The card may only exist after the next render.
      requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"] article`)?.focus());
    },
    [virtualizer],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const card = (event.target as HTMLElement).closest('[data-index]');
    if (!card || (event.target as HTMLElement).tagName !== 'ARTICLE') return;
    const index = Number(card.getAttribute('data-index'));
    if (event.key === 'ArrowDown' || event.key === 'j') {
      event.preventDefault();
      focusCard(Math.min(ids.length - 1, index + 1));
    } else if (event.key === 'ArrowUp' || event.key === 'k') {
      event.preventDefault();
      focusCard(Math.max(0, index - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      openDialog({ kind: 'takes', shotId: ids[index]! });
    }
  };

  return (
    <div ref={scroller} className="shot-scroller" onKeyDown={onKeyDown}>
      <div role="list" aria-label="Shots" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => (
          <div key={ids[item.index]} role="listitem" data-index={item.index} ref={virtualizer.measureElement} className="shot-row" style={{ transform: `translateY(${item.start}px)` }}>
            <ShotCard shotId={ids[item.index]!} />
          </div>
        ))}
      </div>
    </div>
  );
}

'use client';
/** Toggle chips for a multi-select filter (sites, labels). */
export function FilterChips({
  options,
  value,
  onChange,
}: {
  options: readonly { id: string; name: string }[];
  value: readonly string[];
  onChange: (next: string[]) => void;
}) {
  if (options.length === 0) return <p className="muted small">None defined.</p>;
  return (
    <div className="chips">
      {options.map((option) => {
        const on = value.includes(option.id);
        return (
          <button
            key={option.id}
            type="button"
            className="chip"
            aria-pressed={on}
            onClick={() =>
              onChange(on ? value.filter((v) => v !== option.id) : [...value, option.id])
            }
          >
            {option.name}
          </button>
        );
      })}
    </div>
  );
}

/** Problems to fix, one line each (the CLI's own wording), announced as an alert. */
export function Problems({ problems, intro }: { problems: readonly string[]; intro?: string }) {
  if (problems.length === 0) return null;
  return (
    <div role="alert" className="problems">
      {intro && <p>{intro}</p>}
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </div>
  );
}

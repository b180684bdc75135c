/** The pages of `logtrace serve`. */
export type PageKind = 'overview' | 'trace' | 'errors' | 'report';

/** What a page document is made of besides its kind: its title and what goes in its head (scripts, styles, data). */
export interface ShellParts {
  readonly title: string;
  readonly head: string;
  /** Extra markup at the end of the body (the report's inlined data). */
  readonly tail?: string;
}

/**
 * The HTML of a page: the header with its navigation and search box, and an empty
 * main the page script fills in (everything from the logs is put there as text).
 * Nothing from a request or a log is interpolated here.
 */
export function pageShell(kind: PageKind, { title, head, tail = '' }: ShellParts): string {
  const nav =
    kind === 'report'
      ? '<a href="#overview">Overview</a><a href="#errors">Errors</a><a href="#traces">Slowest traces</a>'
      : '<a href="/">Overview</a><a href="/errors">Errors</a><button type="button" id="refresh">Refresh</button>';
  const action = kind === 'report' ? '#' : '/search';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${head}
</head>
<body data-page="${kind}">
<header class="top">
<a class="brand" href="${kind === 'report' ? '#overview' : '/'}">logtrace</a>
<nav aria-label="Pages">${nav}</nav>
<form class="search" role="search" method="get" action="${action}">
<label for="q">Search</label>
<input id="q" name="q" type="search" placeholder="id, prefix or error text" autocomplete="off" maxlength="200">
<button type="submit">Go</button>
</form>
</header>
<main id="app" tabindex="-1"><p class="loading">Loading…</p></main>
${tail}
</body>
</html>
`;
}

/** The head of a served page: uPlot, the page scripts (deferred, run in order) and the styles, as files of the server. */
export function servedHead(scriptNames: readonly string[]): string {
  const scripts = scriptNames.map((name) => `<script src="/static/${name}" defer></script>`);
  return ['<link rel="stylesheet" href="/static/uplot.css">', '<link rel="stylesheet" href="/static/style.css">', ...scripts].join('\n');
}

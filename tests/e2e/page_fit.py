"""What fitting the screen means, for the browser tests that look at page widths: the
widths a page is looked at in and the script that lists what is wrong with it there."""

# A laptop, a tablet held upright (600–768 px: tables scroll in their box or stack, never
# the page) and a phone.
WIDTHS = (1280, 700, 390)

# Everything wrong with the page in the window as it is: the page wider than the window,
# a table that needs its sideways scroll (a wide comparison, .table-fit--wide, may scroll
# if it holds no actions) and any visible action of a table that lies outside the window
# or outside the box it scrolls in. On a tablet (600–768 px) only the page's width counts:
# a table may scroll in its own box there.
PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page} px wide`);
  // On a tablet a table may scroll in its box (or stack); only the page must not.
  if (width >= 600 && width <= 768) return problems;
  for (const box of document.querySelectorAll('main .table-fit')) {
    const wide = box.classList.contains('table-fit--wide');
    if (!wide && box.scrollWidth > box.clientWidth + 1)
      problems.push(`a table is ${box.scrollWidth} px wide in a ${box.clientWidth} px box`);
    if (wide && box.querySelector('button, input, select, form'))
      problems.push('a sideways-scrolling table holds actions');
  }
  const actions = 'main table button, main table input:not([type=hidden]), ' +
    'main table select, main table a.usa-button';
  for (const element of document.querySelectorAll(actions)) {
    if (element.offsetParent === null) continue;  // hidden with its column
    const r = element.getBoundingClientRect();
    let left = 0, right = width;
    for (let p = element.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') {
        const box = p.getBoundingClientRect();
        left = Math.max(left, box.left);
        right = Math.min(right, box.right);
      }
    }
    if (r.left < left - 1 || r.right > right + 1) {
      const name = (element.textContent || element.placeholder || element.name).trim();
      problems.push(`"${name}" is at ${Math.round(r.left)}–${Math.round(r.right)} px`);
    }
  }
  return problems;
}"""

// The HTML report's script: builds the header and the tables from the data blocks, one page of rows
// at a time, and draws a key's chart when its row is opened. It runs before the sections' data is
// even parsed: header, findings and principals show at once, the sections follow one per task.
// Every string from the summary goes on the page as a text node (never as markup); characters that
// could hide or reorder text are shown as visible escapes. Runs under a Content-Security-Policy
// that allows this script only.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const SEVERITIES = ["critical", "high", "medium", "low"];
  const PRINCIPAL_PAGE_SIZE = 100;
  const FINDING_PAGE_SIZE = 100;
  const KEY_PAGE_SIZE = 50;
  const SUB_KEY_PAGE_SIZE = 500;
  /** Controls, formats (bidi controls, zero-width characters), separators other than the space, unpaired surrogates. */
  const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;
  const HIDDEN_ALL = new RegExp(HIDDEN.source, "gu");
  const numberFormat = new Intl.NumberFormat("en-US");

  /** An element with attributes and children (nodes or strings, added as text). */
  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child !== undefined && child !== null) node.append(child);
    }
    return node;
  }

  /** Text from the summary, isolated from its neighbours, with hidden characters shown as `\u202E`. */
  function label(text) {
    const node = element("bdi", { dir: "ltr" });
    if (!HIDDEN.test(text)) {
      node.textContent = text;
      return node;
    }
    let start = 0;
    for (const match of text.matchAll(HIDDEN_ALL)) {
      node.append(text.slice(start, match.index));
      const code = match[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      node.append(element("span", { class: "escape", title: "hidden character" }, `\\u${code}`));
      start = match.index + match[0].length;
    }
    node.append(text.slice(start));
    return node;
  }

  function count(value) {
    return value === null || value === undefined ? "" : numberFormat.format(value);
  }

  function plural(number, one, many) {
    return `${numberFormat.format(number)} ${number === 1 ? one : many}`;
  }

  // ---- Header -----------------------------------------------------------------------------------

  function renderHeader() {
    const header = data.header;
    const slot = document.getElementById("report-header");
    const facts = element("dl", { class: "facts" });
    const fact = (name, ...value) => facts.append(element("dt", null, name), element("dd", null, ...value));
    fact("Account", label(header.account));
    fact("Principal", label(header.principal));
    fact("Window", label(header.from), " to ", label(header.to));
    if (header.accounts.length > 0) {
      fact(
        "Accounts",
        `${header.accounts.length}: `,
        ...joined(header.accounts.map(([id, name, status]) =>
          element(
            "span",
            { class: status === "failed" || status === "interrupted" ? "failed" : null },
            label(id),
            name === "" ? "" : " ",
            name === "" ? "" : label(name),
            " (",
            label(status),
            ")",
          )
        )),
      );
    }
    fact("Activity type", label(header.activityType));
    fact("Source", label(header.source));
    fact(
      "Regions read",
      `${header.regionsRead.length}: `,
      ...joined(header.regionsRead.map((region) => label(region))),
    );
    fact(
      "Regions failed",
      header.regionsFailed.length === 0 ? "none" : element(
        "span",
        { class: "failed" },
        ...joined(
          header.regionsFailed.map(([region, code]) => element("span", null, label(region), " (", label(code), ")")),
        ),
      ),
    );
    if (header.records.length > 0) {
      fact("Records", ...joined(header.records.map(([name, value]) => `${count(value)} ${name}`)));
    }
    slot.append(facts);
    if (header.incomplete) {
      slot.append(element(
        "p",
        { class: "warning", role: "alert", id: "incomplete-warning" },
        element("strong", null, "Incomplete: "),
        "the run was interrupted; this report holds only what was read until then.",
      ));
    }
    const failedAccounts = header.accounts.filter(([, , status]) => status === "failed").length;
    if (failedAccounts > 0) {
      slot.append(element(
        "p",
        { class: "warning", role: "alert", id: "accounts-failed-warning" },
        element("strong", null, `${plural(failedAccounts, "account", "accounts")} failed: `),
        "their activity is missing from the counts below.",
      ));
    }
    if (header.regionsFailed.length > 0) {
      slot.append(element(
        "p",
        { class: "warning", role: "alert", id: "regions-failed-warning" },
        element("strong", null, `${plural(header.regionsFailed.length, "region", "regions")} failed: `),
        "their activity is missing from the counts below.",
      ));
    }
  }

  function joined(nodes) {
    return nodes.flatMap((node, index) => (index === 0 ? [node] : [", ", node]));
  }

  // ---- Tables -----------------------------------------------------------------------------------

  function compareText(left, right) {
    return left < right ? -1 : left > right ? 1 : 0;
  }

  /**
   * A sortable, filterable table shown one page at a time.
   * columns: { heading, kind: "text" | "time" | "number" | "severity", cell?(value, row) }
   * options: { name, caption, rows, pageSize, sortColumn, descending, detail?(row) }
   */
  function dataTable(columns, options) {
    const rows = options.rows;
    let shown = rows;
    let sortColumn = options.sortColumn ?? -1;
    let descending = options.descending ?? false;
    let page = 0;
    let searchTexts;
    const expanded = new Map();

    const block = element("div", { class: "table-block", "data-table-name": options.name });
    const filterInput = element("input", {
      type: "search",
      "aria-label": `Filter ${options.caption.toLowerCase()}`,
      placeholder: "Filter…",
      autocomplete: "off",
      spellcheck: "false",
    });
    const status = element("p", { class: "status", "aria-live": "polite" });
    const previous = element("button", { type: "button", class: "previous" }, "Previous");
    const next = element("button", { type: "button", class: "next" }, "Next");
    const headerCells = columns.map((column, index) => {
      const button = element("button", { type: "button" }, column.heading, element("span", { "aria-hidden": "true" }));
      button.addEventListener("click", () => sortBy(index));
      return element("th", { scope: "col", class: `cell-${column.kind}` }, button);
    });
    const body = element("tbody");
    const table = element(
      "table",
      { "data-total-rows": rows.length },
      element("caption", null, options.caption),
      element("thead", null, element("tr", null, ...headerCells)),
      body,
    );
    block.append(
      element("div", { class: "controls" }, filterInput, status),
      element("div", { class: "table-scroll" }, table),
      element("div", { class: "pager" }, previous, next),
    );

    filterInput.addEventListener("input", () => {
      const words = filterInput.value.toLowerCase().split(/\s+/).filter((word) => word !== "");
      if (words.length === 0) {
        shown = rows;
      } else {
        searchTexts ??= new Map(
          rows.map((row) => [row, row.map((value) => String(value ?? "")).join("\n").toLowerCase()]),
        );
        shown = rows.filter((row) => words.every((word) => searchTexts.get(row).includes(word)));
      }
      sortRows();
      page = 0;
      render();
    });
    previous.addEventListener("click", () => turn(-1));
    next.addEventListener("click", () => turn(1));

    function turn(step) {
      page = Math.min(Math.max(0, page + step), pageCount() - 1);
      render();
    }

    function pageCount() {
      return Math.max(1, Math.ceil(shown.length / options.pageSize));
    }

    function sortBy(index) {
      // A number column sorts largest first on the first press, text A to Z.
      descending = index === sortColumn ? !descending : columns[index].kind === "number";
      sortColumn = index;
      sortRows();
      page = 0;
      render();
    }

    function sortKey(column, value) {
      if (column.kind === "severity") return SEVERITIES.indexOf(value);
      if (column.kind === "number") return value ?? -1;
      return String(value ?? "");
    }

    function sortRows() {
      if (sortColumn < 0) return;
      const column = columns[sortColumn];
      const direction = descending ? -1 : 1;
      const keyed = shown.map((row, position) => [sortKey(column, row[sortColumn]), position, row]);
      keyed.sort((left, right) =>
        direction * (typeof left[0] === "string" ? compareText(left[0], right[0]) : left[0] - right[0]) ||
        left[1] - right[1]
      );
      shown = keyed.map((entry) => entry[2]);
    }

    function render() {
      headerCells.forEach((cell, index) => {
        const state = index === sortColumn ? (descending ? "descending" : "ascending") : null;
        if (state) cell.setAttribute("aria-sort", state);
        else cell.removeAttribute("aria-sort");
        cell.querySelector("span").textContent = state === "descending" ? " ▼" : state === "ascending" ? " ▲" : "";
      });
      const first = page * options.pageSize;
      const pageRows = shown.slice(first, first + options.pageSize);
      const fragment = document.createDocumentFragment();
      for (const row of pageRows) {
        const line = element("tr");
        columns.forEach((column, index) => {
          const content = column.cell
            ? column.cell(row[index], row)
            : column.kind === "number"
            ? count(row[index])
            : label(String(row[index] ?? ""));
          line.append(element("td", { class: `cell-${column.kind}` }, content));
        });
        fragment.append(line);
        if (options.detail) addDetail(line, row, fragment);
      }
      body.replaceChildren(fragment);
      status.textContent = shown.length === 0
        ? `No rows match (of ${numberFormat.format(rows.length)})`
        : `Rows ${numberFormat.format(first + 1)}–${numberFormat.format(first + pageRows.length)} of ` +
          numberFormat.format(shown.length) +
          (shown.length === rows.length ? "" : ` (filtered from ${numberFormat.format(rows.length)})`);
      previous.disabled = page === 0;
      next.disabled = page >= pageCount() - 1;
      block.querySelector(".pager").hidden = shown.length <= options.pageSize;
    }

    /** A button in the first cell opens a row below with the key's chart and table. */
    function addDetail(line, row, fragment) {
      const firstCell = line.firstChild;
      const toggle = element(
        "button",
        { type: "button", class: "expander", "aria-expanded": expanded.has(row) ? "true" : "false" },
        ...firstCell.childNodes,
      );
      firstCell.replaceChildren(toggle);
      if (expanded.has(row)) fragment.append(expanded.get(row));
      toggle.addEventListener("click", () => {
        if (expanded.has(row)) {
          expanded.get(row).remove();
          expanded.delete(row);
          toggle.setAttribute("aria-expanded", "false");
          return;
        }
        const detailRow = element(
          "tr",
          { class: "detail" },
          element("td", { colspan: columns.length }, options.detail(row)),
        );
        expanded.set(row, detailRow);
        line.after(detailRow);
        toggle.setAttribute("aria-expanded", "true");
      });
    }

    sortRows();
    render();
    return block;
  }

  function severityCell(severity) {
    return element(
      "span",
      { class: `severity severity-${SEVERITIES.includes(severity) ? severity : "unknown"}` },
      label(severity),
    );
  }

  // ---- Findings and principals --------------------------------------------------------------------

  function renderFindings() {
    const slot = document.querySelector('[data-table="findings"]');
    if (data.findings === null) {
      slot.append(
        element("p", { class: "empty" }, "This summary has no findings section (written by an older version)."),
      );
      return;
    }
    const bySeverity = new Map();
    for (const finding of data.findings) bySeverity.set(finding[0], (bySeverity.get(finding[0]) ?? 0) + 1);
    const counts = element(
      "p",
      { class: "severity-counts", id: "finding-counts" },
      `${plural(data.findings.length, "finding", "findings")}`,
    );
    for (const severity of SEVERITIES) {
      if (!bySeverity.has(severity)) continue;
      counts.append(
        " ",
        element(
          "span",
          { class: `severity severity-${severity}`, "data-severity": severity },
          `${bySeverity.get(severity)} ${severity}`,
        ),
      );
    }
    slot.append(counts);
    if (data.findings.length === 0) return;
    slot.append(dataTable([
      { heading: "Severity", kind: "severity", cell: severityCell },
      { heading: "Rule", kind: "text" },
      { heading: "Principal", kind: "text" },
      { heading: "API call", kind: "text" },
      { heading: "Description", kind: "text" },
      { heading: "Count", kind: "number" },
      { heading: "First seen", kind: "time" },
      { heading: "Last seen", kind: "time" },
    ], { name: "findings", caption: "Findings, most severe first", rows: data.findings, pageSize: FINDING_PAGE_SIZE }));
  }

  function renderPrincipals() {
    const slot = document.querySelector('[data-table="principals"]');
    if (data.principals.length === 0) {
      slot.append(element("p", { class: "empty" }, "No principals."));
      return;
    }
    const columns = [
      { heading: "Principal", kind: "text" },
      { heading: "First seen", kind: "time" },
      { heading: "Last seen", kind: "time" },
      { heading: "Calls", kind: "number" },
      { heading: "Failed", kind: "number" },
      { heading: "Regions", kind: "number" },
      { heading: "IP addresses", kind: "number" },
      { heading: "Risk", kind: "number" },
    ];
    slot.append(dataTable(columns, {
      name: "principals",
      caption: `Principals (${numberFormat.format(data.principals.length)})`,
      rows: data.principals,
      pageSize: PRINCIPAL_PAGE_SIZE,
      sortColumn: 3,
      descending: true,
    }));
  }

  // ---- Sections ---------------------------------------------------------------------------------

  function renderSection(section) {
    const slot = document.querySelector(`[data-section="${section.id}"]`);
    const keys = JSON.parse(document.getElementById(`keys-${section.id}`).textContent);
    if (keys.length === 0) return;
    slot.append(dataTable([
      { heading: section.headings.key, kind: "text" },
      { heading: section.headings.value, kind: "number" },
    ], {
      name: section.id,
      caption: `${section.title}: ${
        plural(keys.length, section.headings.key.toLowerCase(), `${section.headings.key.toLowerCase()}s`)
      }, open one for its chart and table`,
      rows: keys,
      pageSize: KEY_PAGE_SIZE,
      detail: (row) => keyDetail(section, row),
    }));
  }

  function keyDetail(section, row) {
    const [, , subKeys, chart] = row;
    const container = element("div", { class: "key-detail" });
    if (chart >= 0) {
      const figure = element("figure", { class: "chart" }, element("p", { class: "empty" }, "Drawing the chart…"));
      container.append(figure);
      chartElement(chart).then(
        (svg) => figure.replaceChildren(svg),
        () => figure.replaceChildren(element("p", { class: "empty" }, "This chart could not be shown.")),
      );
    } else if (subKeys.length > 0) {
      container.append(element(
        "p",
        { class: "empty" },
        `No chart: the report draws one for the ${data.keyChartLimit} ${
          section.headings.key === "Region" ? "regions" : "principals"
        } of this section with the largest values; the table is complete.`,
      ));
    }
    container.append(dataTable([
      { heading: section.headings.subKey, kind: "text" },
      { heading: "Count", kind: "number" },
    ], {
      name: `${section.id}-detail`,
      caption: `${section.headings.subKey}s`,
      rows: subKeys,
      pageSize: SUB_KEY_PAGE_SIZE,
    }));
    return container;
  }

  const ALLOWED_CHART_ELEMENTS = new Set(["svg", "style", "rect", "text"]);

  let charts;

  /** Inflates a stored chart and checks that it is only the shapes our chart code writes. */
  async function chartElement(index) {
    charts ??= JSON.parse(document.getElementById("chart-data").textContent);
    const base64 = charts[index];
    const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    const svgText = await new Response(stream).text();
    const parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
    for (const node of parsed.querySelectorAll("*")) {
      const allowed = ALLOWED_CHART_ELEMENTS.has(node.localName) &&
        node.namespaceURI === "http://www.w3.org/2000/svg" &&
        [...node.attributes].every((attribute) => !/^on|href$/i.test(attribute.localName));
      if (!allowed) throw new Error(`unexpected <${node.localName}> in a chart`);
    }
    return document.importNode(parsed.documentElement, true);
  }

  renderHeader();
  renderFindings();
  renderPrincipals();
  // For the bench, on the page's own clock: the first tables, then all of them.
  performance.mark("report-first-tables");
  let next = 0;
  function renderNextSection() {
    if (next < data.sections.length) {
      renderSection(data.sections[next++]);
      setTimeout(renderNextSection, 0);
      return;
    }
    document.documentElement.dataset.rendered = "true";
    performance.mark("report-rendered");
  }
  // The sections' data blocks follow this script: wait until the whole page is parsed and the
  // browser has shown what is there (its first paint, or a moment where paint timing is missing).
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    setTimeout(renderNextSection, 0);
  };
  const afterFirstPaint = () => {
    if (performance.getEntriesByName("first-contentful-paint").length > 0) return start();
    new PerformanceObserver(start).observe({ type: "paint", buffered: true });
    setTimeout(start, 200);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", afterFirstPaint);
  else afterFirstPaint();
  // A printout shows every section, even one not built yet.
  addEventListener("beforeprint", () => {
    while (next < data.sections.length) renderSection(data.sections[next++]);
  });
})();

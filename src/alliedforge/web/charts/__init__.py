"""Plotly figures for the pages, as plain figure dicts built by pure functions (one module
per section); `static/app.js` draws them from the page's JSON."""

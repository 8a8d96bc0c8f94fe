"""FpML 5.x to the canonical `TradeEvent`.

`xml` has namespace-agnostic element helpers; `message` reads what one FpML message says about
its parties and its event (header, parties, regimes, quotes); `parties` picks the reporting
side; one module per product family (`rates`, `fx`, `credit`, `equity`) maps the economics;
`events.occurrences` says which reports a message asks for (a new trade, a correction, a
termination, a novation, a withdrawal ...) and `mapper.map_occurrence` assembles the
`TradeEvent` of each (`mapper.map_trade` for one `trade` element).
"""

"""FpML 5.x to the canonical `TradeEvent`.

`xml` has namespace-agnostic element helpers; `message` reads what one FpML message says about
its parties and its event (header, parties, regimes, quotes); `parties` picks the reporting
side; one module per product family (`rates`, `fx`, `credit`, `equity`) maps the economics;
`mapper.map_trade` assembles a `TradeEvent` for one `trade` element of a message.
"""

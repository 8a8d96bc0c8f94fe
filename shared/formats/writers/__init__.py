"""Regime report writers behind one interface; `writer_for(regime)` picks one."""

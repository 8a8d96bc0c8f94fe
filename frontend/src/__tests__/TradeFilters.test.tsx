import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { EMPTY_FILTERS, filtersFromParams, TradeFilters } from "../components/TradeFilters";
import { I18nProvider } from "../i18n";

describe("TradeFilters", () => {
  it("reads the URL's filters and drops values the API would refuse", () => {
    const f = filtersFromParams(new URLSearchParams("q=9884&state=acked,bogus,nacked&regime=krx"));
    expect(f).toEqual({ ...EMPTY_FILTERS, q: "9884", state: ["acked", "nacked"], regime: ["krx"] });
  });

  it("applies the edited filters on submit, trimmed, and clears them all", () => {
    const onApply = vi.fn();
    render(<I18nProvider lang="en"><TradeFilters value={EMPTY_FILTERS} onApply={onApply} /></I18nProvider>);
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "  9884DEMO " } });
    const states = screen.getByLabelText("State") as HTMLSelectElement;
    for (const option of states.options) option.selected = ["acked", "nacked"].includes(option.value);
    fireEvent.change(states);
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(onApply).toHaveBeenLastCalledWith({ ...EMPTY_FILTERS, q: "9884DEMO", state: ["acked", "nacked"] });
    fireEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(onApply).toHaveBeenLastCalledWith(EMPTY_FILTERS);
    expect((screen.getByLabelText("Search") as HTMLInputElement).value).toBe("");
  });

  it("is in Korean with the Korean dictionary", () => {
    render(<I18nProvider lang="ko"><TradeFilters value={EMPTY_FILTERS} onApply={() => {}} /></I18nProvider>);
    expect(screen.getByRole("button", { name: "적용" })).toBeTruthy();
    expect(screen.getByLabelText("거래상대방")).toBeTruthy();
  });
});

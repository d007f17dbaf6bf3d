"""Prices from the table in config, and the cost of a response."""

import pytest

from distill.llm.costs import Price, load_price


def test_cached_prompt_tokens_are_priced_apart():
    price = Price(input=0.28, input_cached=0.028, output=0.42)
    assert price.cost(1_000_000, 0) == 0.28
    assert price.cost(1_000_000, 1_000_000, cached_tokens=400_000) == pytest.approx(
        0.6 * 0.28 + 0.4 * 0.028 + 0.42
    )
    assert Price(input=1.0, output=2.0).cost(100, 10, cached_tokens=100) == pytest.approx(120 / 1e6)


def test_the_price_table_names_models_and_unknown_models_cost_nothing(tmp_path):
    assert load_price("configs/prices.yaml", "deepseek-reasoner").output > 0
    table = tmp_path / "prices.yaml"
    table.write_text("m: {input: 1.5, output: 6}\n")
    assert load_price(table, "m") == Price(input=1.5, output=6)
    assert load_price(table, "self-hosted").cost(10**6, 10**6) == 0.0

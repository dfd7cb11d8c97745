"""Scrapy spiders over the source catalog (built by the crawler issue); `smesearch import` feeds JSONL today."""

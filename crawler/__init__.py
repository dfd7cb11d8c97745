"""The crawler: the source catalog of networks to crawl (`crawler.catalog`), the address-safety
rules (`crawler.safety`), and, from the crawler issue on, Scrapy spiders; `smesearch import`
feeds JSONL until then."""

//! One pass over the embedded index for a search's top hits, its count and its facets.
//!
//! The Python binding of tantivy counts facets with a second run of the query (its `aggregate`),
//! and its `search` always goes through a `MultiCollector`, which cannot skip documents that will
//! not reach the top. Here the query runs once: the top hits, the count and the facet counts are
//! collected together, or, for a key sentence's preferred documents, by a top-k search that skips
//! (block-WAND) beside one unscored pass that counts. Queries arrive as JSON built by the same
//! compiler as the binding's queries (indexer/backends/embedded.py), so both score alike.

use std::collections::HashMap;
use std::ops::Bound as Limit;
use std::path::Path;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde_json::Value;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    AllQuery, EnableScoring, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value as _};
use tantivy::{
    DateTime, DocAddress, DocId, Executor, Index as TantivyIndex, IndexReader, ReloadPolicy, Score, Searcher,
    SegmentOrdinal, SegmentReader, TantivyDocument, Term,
};

fn value_error(message: impl ToString) -> PyErr {
    PyValueError::new_err(message.to_string())
}

/// A facet to count: a string fast field counted by value, or a bit-mask fast field counted by bit.
#[derive(Clone)]
enum FacetSpec {
    Values(String),
    Bits(String),
}

enum SegmentFacet {
    Values { column: Option<StrColumn>, counts: Vec<u64> },
    Bits { column: Option<Column<u64>>, counts: [u64; 64] },
}

enum FacetFruit {
    Values(HashMap<String, u64>),
    Bits(Vec<u64>),
}

/// Counts facets over every matching document, by term ordinal within a segment (no hashing per
/// document) and by value across segments.
struct FacetCollector {
    specs: Vec<FacetSpec>,
}

struct FacetSegmentCollector {
    facets: Vec<SegmentFacet>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<FacetFruit>;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let mut facets = Vec::with_capacity(self.specs.len());
        for spec in &self.specs {
            facets.push(match spec {
                FacetSpec::Values(name) => {
                    let column = fast.str(name)?;
                    let terms = column.as_ref().map_or(0, |c| c.num_terms());
                    SegmentFacet::Values { column, counts: vec![0; terms] }
                }
                FacetSpec::Bits(name) => SegmentFacet::Bits { column: fast.u64(name).ok(), counts: [0; 64] },
            });
        }
        Ok(FacetSegmentCollector { facets })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<FacetFruit>>) -> tantivy::Result<Self::Fruit> {
        let mut merged: Vec<FacetFruit> = self
            .specs
            .iter()
            .map(|spec| match spec {
                FacetSpec::Values(_) => FacetFruit::Values(HashMap::new()),
                FacetSpec::Bits(_) => FacetFruit::Bits(vec![0; 64]),
            })
            .collect();
        for segment in segments {
            for (into, from) in merged.iter_mut().zip(segment) {
                match (into, from) {
                    (FacetFruit::Values(total), FacetFruit::Values(part)) => {
                        for (key, n) in part {
                            *total.entry(key).or_insert(0) += n;
                        }
                    }
                    (FacetFruit::Bits(total), FacetFruit::Bits(part)) => {
                        for (t, p) in total.iter_mut().zip(part) {
                            *t += p;
                        }
                    }
                    _ => unreachable!("segments count the facets in the order asked"),
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<FacetFruit>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for facet in &mut self.facets {
            match facet {
                SegmentFacet::Values { column: Some(column), counts } => {
                    for ord in column.term_ords(doc) {
                        counts[ord as usize] += 1;
                    }
                }
                SegmentFacet::Bits { column: Some(column), counts } => {
                    if let Some(mut mask) = column.first(doc) {
                        while mask != 0 {
                            counts[mask.trailing_zeros() as usize] += 1;
                            mask &= mask - 1;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.facets
            .into_iter()
            .map(|facet| match facet {
                SegmentFacet::Values { column, counts } => {
                    // Terms are read in one sorted sweep of the dictionary: looking each one up
                    // alone cost 26 ms a search for the site facet at 100,000 documents.
                    let mut out = HashMap::new();
                    if let Some(column) = column {
                        let ords: Vec<u64> = (0..counts.len() as u64).filter(|&o| counts[o as usize] > 0).collect();
                        let mut next = ords.iter();
                        let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                            if let Some(&ord) = next.next() {
                                out.insert(String::from_utf8_lossy(bytes).into_owned(), counts[ord as usize]);
                            }
                        });
                    }
                    FacetFruit::Values(out)
                }
                SegmentFacet::Bits { counts, .. } => FacetFruit::Bits(counts.to_vec()),
            })
            .collect()
    }
}

/// Builds a tantivy query from the JSON the Python compiler writes (see `NativeQueries` there).
struct QueryReader<'a> {
    schema: &'a Schema,
}

impl QueryReader<'_> {
    fn field(&self, node: &Value) -> PyResult<Field> {
        let name = node.as_str().ok_or_else(|| value_error("a field name must be a string"))?;
        self.schema.get_field(name).map_err(value_error)
    }

    fn text(node: &Value) -> PyResult<&str> {
        node.as_str().ok_or_else(|| value_error("a term must be a string"))
    }

    fn read(&self, node: &Value) -> PyResult<Box<dyn Query>> {
        let parts = node.as_array().ok_or_else(|| value_error("a query node must be a list"))?;
        let kind = parts.first().and_then(Value::as_str).unwrap_or("");
        let arg = |i: usize| parts.get(i).ok_or_else(|| value_error(format!("`{kind}` is missing an argument")));
        let number = |i: usize| -> PyResult<f64> {
            arg(i)?.as_f64().ok_or_else(|| value_error(format!("`{kind}` needs a number")))
        };
        Ok(match kind {
            "term" => {
                let term = Term::from_field_text(self.field(arg(1)?)?, Self::text(arg(2)?)?);
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqsAndPositions))
            }
            "phrase" => {
                let field = self.field(arg(1)?)?;
                let words = arg(2)?.as_array().ok_or_else(|| value_error("a phrase needs a list of words"))?;
                if words.len() < 2 {
                    return Err(value_error("a phrase needs two words or more"));
                }
                let terms = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Ok((i, Term::from_field_text(field, Self::text(w)?))))
                    .collect::<PyResult<Vec<_>>>()?;
                Box::new(PhraseQuery::new_with_offset_and_slop(terms, 0))
            }
            "boost" => Box::new(BoostQuery::new(self.read(arg(1)?)?, number(2)? as Score)),
            "const" => Box::new(ConstScoreQuery::new(self.read(arg(1)?)?, number(2)? as Score)),
            "all" => Box::new(AllQuery),
            "set" => {
                let field = self.field(arg(1)?)?;
                let values = arg(2)?.as_array().ok_or_else(|| value_error("a term set needs a list"))?;
                let terms = values
                    .iter()
                    .map(|v| Ok(Term::from_field_text(field, Self::text(v)?)))
                    .collect::<PyResult<Vec<_>>>()?;
                Box::new(TermSetQuery::new(terms))
            }
            "dates" => {
                let field = self.field(arg(1)?)?;
                let bound = |i: usize| -> PyResult<Term> {
                    let micros = arg(i)?.as_i64().ok_or_else(|| value_error("a date bound is in microseconds"))?;
                    Ok(Term::from_field_date(field, DateTime::from_timestamp_micros(micros)))
                };
                Box::new(RangeQuery::new(Limit::Included(bound(2)?), Limit::Included(bound(3)?)))
            }
            "bool" => {
                let clauses = arg(1)?.as_array().ok_or_else(|| value_error("a boolean needs a list of clauses"))?;
                let mut subqueries = Vec::with_capacity(clauses.len());
                for clause in clauses {
                    let pair = clause.as_array().filter(|p| p.len() == 2);
                    let pair = pair.ok_or_else(|| value_error("a clause is [occur, query]"))?;
                    let occur = match pair[0].as_str() {
                        Some("must") => Occur::Must,
                        Some("should") => Occur::Should,
                        Some("not") => Occur::MustNot,
                        _ => return Err(value_error("a clause's occur is must, should or not")),
                    };
                    subqueries.push((occur, self.read(&pair[1])?));
                }
                match parts.get(2).and_then(Value::as_u64) {
                    Some(n) if n > 1 => Box::new(BooleanQuery::with_minimum_required_clauses(subqueries, n as usize)),
                    _ => Box::new(BooleanQuery::from(subqueries)),
                }
            }
            other => return Err(value_error(format!("unknown query node `{other}`"))),
        })
    }
}

type Hits = Vec<(Score, String)>;
type Facets = Vec<(String, Py<PyAny>)>;

/// An index opened for searching, reloaded when the Python side sees a new commit.
#[pyclass(frozen, module = "smesearch_native")]
struct Index {
    reader: IndexReader,
    schema: Schema,
    id: Field,
    segments_in_parallel: Option<Executor>,
}

#[pymethods]
impl Index {
    /// Opens the index at `path`; a one-query search runs its segments on `threads` threads (the
    /// latency of one search, not the throughput of many, gains from more than one). A key
    /// sentence's two queries run side by side instead, each on one thread: splitting both by
    /// segment as well put four threads on two cores and made sentences slower (p50 12.9 against
    /// 11.4 ms, bench.query_latency at 100,000 documents).
    #[new]
    #[pyo3(signature = (path, threads=1))]
    fn new(path: &str, threads: usize) -> PyResult<Self> {
        let index = TantivyIndex::open_in_dir(Path::new(path)).map_err(value_error)?;
        let segments_in_parallel = if threads > 1 {
            Some(Executor::multi_thread(threads, "smesearch-segment-").map_err(value_error)?)
        } else {
            None
        };
        let schema = index.schema();
        let id = schema.get_field("id").map_err(value_error)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(value_error)?;
        Ok(Index { reader, schema, id, segments_in_parallel })
    }

    /// Sees the latest commit.
    fn reload(&self) -> PyResult<()> {
        self.reader.reload().map_err(value_error)
    }

    /// The `limit` best documents after `offset` as (score, id), the number of matches and the
    /// facets asked for: `facets` is a list of (name, kind) with kind "values" (counts by value)
    /// or "bits" (counts by bit of a mask). With `preferred`, the documents it also matches rank
    /// first, `bonus` added to their scores.
    #[pyo3(signature = (matching, offset, limit, facets, preferred=None, bonus=0.0))]
    fn search(
        &self,
        py: Python<'_>,
        matching: &[u8],
        offset: usize,
        limit: usize,
        facets: Vec<(String, String)>,
        preferred: Option<&[u8]>,
        bonus: f32,
    ) -> PyResult<(Hits, u64, Facets)> {
        let reader = QueryReader { schema: &self.schema };
        let parse = |text: &[u8]| -> PyResult<Box<dyn Query>> {
            let node: Value = serde_json::from_slice(text).map_err(value_error)?;
            reader.read(&node)
        };
        let matching = parse(matching)?;
        let preferred = preferred.map(parse).transpose()?;
        let specs = facets
            .iter()
            .map(|(name, kind)| match kind.as_str() {
                "values" => Ok(FacetSpec::Values(name.clone())),
                "bits" => Ok(FacetSpec::Bits(name.clone())),
                _ => Err(value_error(format!("facet kind `{kind}` is neither values nor bits"))),
            })
            .collect::<PyResult<Vec<_>>>()?;
        let (hits, total, fruits) = py
            .detach(|| -> tantivy::Result<(Hits, u64, Vec<FacetFruit>)> {
                let searcher = self.reader.searcher();
                let counting = FacetCollector { specs };
                let (top, total, fruits) = match preferred {
                    None => {
                        let top = TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_score();
                        let collector = (top, Count, counting);
                        let (top, total, fruits) = match &self.segments_in_parallel {
                            Some(executor) => searcher.search_with_executor(
                                &*matching, &collector, executor, EnableScoring::enabled_from_searcher(&searcher))?,
                            None => searcher.search(&*matching, &collector)?,
                        };
                        (if limit == 0 { Vec::new() } else { top }, total, fruits)
                    }
                    Some(preferred) => {
                        preferred_first(&searcher, &*matching, &*preferred, offset, limit, bonus, counting)?
                    }
                };
                let mut hits = Vec::with_capacity(top.len());
                for (score, address) in top {
                    let doc: TantivyDocument = searcher.doc(address)?;
                    let id = doc.get_first(self.id).and_then(|v| v.as_str()).unwrap_or_default();
                    hits.push((score, id.to_string()));
                }
                Ok((hits, total as u64, fruits))
            })
            .map_err(value_error)?;
        let mut out = Vec::with_capacity(fruits.len());
        for ((name, _), fruit) in facets.into_iter().zip(fruits) {
            let value = match fruit {
                FacetFruit::Values(counts) => {
                    let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
                    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    ranked.into_pyobject(py)?.into_any().unbind()
                }
                FacetFruit::Bits(counts) => counts.into_pyobject(py)?.into_any().unbind(),
            };
            out.push((name, value));
        }
        Ok((hits, total, out))
    }
}

/// The top of `matching` with the documents `preferred` also matches first, each group ranked by
/// its own score (what `matching` plus a constant bonus for `preferred` ranks), with the count and
/// the facets of `matching`. The preferred documents' top-k (which skips what cannot reach it)
/// runs beside an unscored pass of `matching` that counts, as the binding's fallback runs its
/// facet pass beside its top-k; `matching` is ranked only when the preferred documents do not
/// fill the page. (One after the other, sentences' p50 was 14.5 ms against the binding's 10.9 ms;
/// ranking `matching` in the counting pass, 13.3 against 11.9: bench.query_latency, 100,000
/// documents.)
fn preferred_first(
    searcher: &Searcher,
    matching: &dyn Query,
    preferred: &dyn Query,
    offset: usize,
    limit: usize,
    bonus: f32,
    counting: FacetCollector,
) -> tantivy::Result<(Vec<(Score, DocAddress)>, usize, Vec<FacetFruit>)> {
    let wanted = (offset + limit).max(1);
    let top = || TopDocs::with_limit(wanted).order_by_score();
    let (first, counted) = std::thread::scope(|scope| {
        let counted = scope.spawn(|| searcher.search(matching, &(Count, counting)));
        let first = searcher.search(preferred, &top());
        (first, counted.join().expect("the counting pass does not panic"))
    });
    let mut ranked: Vec<(Score, DocAddress)> = first?.into_iter().map(|(s, a)| (s + bonus, a)).collect();
    let (total, fruits) = counted?;
    if ranked.len() < wanted {  // every preferred document is in `ranked`: the rest follow
        let seen: std::collections::HashSet<DocAddress> = ranked.iter().map(|(_, a)| *a).collect();
        let room = wanted - ranked.len();
        let rest = searcher.search(matching, &top())?;
        ranked.extend(rest.into_iter().filter(|(_, a)| !seen.contains(a)).take(room));
    }
    Ok((ranked.into_iter().skip(offset).take(limit).collect(), total, fruits))
}

#[pymodule]
fn smesearch_native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Index>()?;
    Ok(())
}

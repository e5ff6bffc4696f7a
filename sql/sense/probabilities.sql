-- Each flagged mention's probability of its class's sense, after the last round (sense/term_priors.sql ...
-- sense/labels.sql): its strongest collocation's evidence added to its (class, term)'s prior (the corpus's own
-- share of the class sense among the mentions the model labelled, shrunk towards WordNet's), or the prior alone
-- when no feature of the mention is a collocation. `decided_by` names the collocation when it decided outside
-- the abstain band (|llr| >= $band_llr), null when the mention was left to its prior. The probability is
-- rounded to 12 places: DuckDB's parallel sums differ in the last bits from run to run (and between
-- executors), and the tables must not.
create or replace table mention_senses as
with flagged_mentions as (
    select distinct mention, class_id, term
    from sense_features
)

select
    flagged_mentions.mention,
    sense_mentions.doc_id,
    sense_mentions.start,
    flagged_mentions.class_id,
    flagged_mentions.term,
    round(coalesce(sense_decisions.p, sense_term_priors.prior), 12) as sense_probability,
    case when abs(sense_decisions.llr) >= $band_llr then sense_decisions.feature end as decided_by
from flagged_mentions
join sense_mentions using (mention)
join sense_term_priors using (class_id, term)
left join sense_decisions using (mention, class_id)

-- sense model round, step 3 (see sense/term_priors.sql): each flagged mention's evidence for its class's sense,
-- in log-odds: its strongest collocation of the decision list (largest |llr|; then the best supported, then the
-- feature's name, so the result is deterministic) plus its relatives' evidence (sense_relative_evidence); its
-- class-sense probability is that evidence added to its (class, term)'s prior. With $learning_only, only the
-- mentions a round learns from (sense_learning) are decided.
create or replace table sense_decisions as
with mentions as (
    select distinct sense_features.mention, sense_features.class_id, sense_features.term
    from sense_features
    left join sense_learning using (mention, class_id)
    where not $learning_only or sense_learning.mention is not null
),

strongest as (
    -- arg_min over the ordering key (a struct compares field by field): a window per mention costs far more
    select sense_features.mention, sense_features.class_id,
        arg_min(struct_pack(feature := sense_collocations.feature, llr := sense_collocations.llr),
                struct_pack(strength := -abs(sense_collocations.llr),
                            support := -(sense_collocations.n_class + sense_collocations.n_other),
                            feature := sense_collocations.feature)) as best
    from sense_features
    semi join mentions using (mention, class_id)
    join sense_collocations using (class_id, term, feature)
    group by all
),

evidence as (
    select mentions.*, strongest.best.feature,
        coalesce(strongest.best.llr, 0) + coalesce(sense_relative_evidence.relative_llr, 0) as llr
    from mentions
    left join strongest using (mention, class_id)
    left join sense_relative_evidence using (mention, class_id)
)

select evidence.mention, evidence.class_id, evidence.term,
    coalesce(evidence.feature, 'relatives') as feature, evidence.llr,
    1.0 / (1.0 + exp(-(ln(sense_term_priors.prior / (1.0 - sense_term_priors.prior)) + evidence.llr))) as p
from evidence
join sense_term_priors using (class_id, term)

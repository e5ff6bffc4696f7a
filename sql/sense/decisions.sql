-- sense model round, step 3 (see sense/term_priors.sql): the decision list. Each mention takes its strongest
-- collocation (largest |llr|; then the best supported, then the feature's name, so the result is deterministic),
-- and its class-sense probability is that evidence added to its (class, term)'s prior, in log-odds.
create or replace table sense_decisions as
select
    sense_features.doc_id,
    sense_features.start,
    sense_features.class_id,
    sense_features.term,
    sense_collocations.feature,
    sense_collocations.llr,
    1.0 / (1.0 + exp(-(ln(sense_term_priors.prior / (1.0 - sense_term_priors.prior)) + sense_collocations.llr))) as p
from sense_features
join sense_collocations using (class_id, term, feature)
join sense_term_priors using (class_id, term)
qualify row_number() over (
    partition by sense_features.doc_id, sense_features.start, sense_features.class_id
    order by abs(sense_collocations.llr) desc, sense_collocations.n_class + sense_collocations.n_other desc,
        sense_collocations.feature
) = 1

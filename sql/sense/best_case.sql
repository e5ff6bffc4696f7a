-- The largest class-sense probability the sense model can give each flagged (class, term): its prior with its
-- strongest collocation for the class's sense, if any. The uncountable-terms check weighs its best-case mentions
-- with it (a term that stays below 1/2 can never count under `sense`).
select
    sense_term_priors.class_id,
    sense_term_priors.term,
    1.0 / (1.0 + exp(-(ln(sense_term_priors.prior / (1.0 - sense_term_priors.prior))
        + greatest(coalesce(max(sense_collocations.llr), 0.0), 0.0)))) as sense_probability
from sense_term_priors
left join sense_collocations using (class_id, term)
group by sense_term_priors.class_id, sense_term_priors.term, sense_term_priors.prior

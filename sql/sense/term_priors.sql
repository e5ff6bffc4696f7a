-- One round of the sense model's bootstrapping (Yarowsky 1995, one sense per collocation) over the corpus's own
-- flagged mentions (sense_features), labelled by the previous round (sense_labels); pipeline/stats/sense_model.py
-- runs the steps in order:
-- 1. (this file) each (class, term)'s prior: the class share of its labelled mentions, shrunk towards the WordNet
--    prior by $prior_weight pseudo-mentions;
-- 2. sense/collocations.sql: each feature's log-likelihood ratio of the class sense;
-- 3. sense/decisions.sql: each mention's evidence (its strongest collocation, the decision list, plus its
--    relatives' evidence) and probability;
-- 4. sense/labels.sql: the mentions whose evidence lies outside the abstain band are labelled for the next round.
create or replace table sense_term_priors as
select
    sense_priors.class_id,
    sense_priors.term,
    (coalesce(sum(sense_labels.label::int), 0) + $prior_weight * sense_priors.wordnet_prior)
        / (count(sense_labels.label) + $prior_weight) as prior
from sense_priors
left join sense_labels using (class_id, term)
group by sense_priors.class_id, sense_priors.term, sense_priors.wordnet_prior

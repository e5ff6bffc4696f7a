-- One round of the sense model's bootstrapping (Yarowsky 1995, one sense per collocation), over the corpus's own
-- flagged mentions (sense_features) labelled by the previous round (sense_labels):
-- 1. each (class, term)'s prior: the class share of its labelled mentions, shrunk towards the WordNet prior by
--    $prior_weight pseudo-mentions;
-- 2. each feature's collocation estimate: the smoothed share of class-sense labels among the labelled mentions
--    holding it, seeds adding $seed_weight pseudo-mentions of their side, smoothed towards the prior by $alpha;
--    a feature seen fewer than $min_support times (pseudo-mentions included) is no collocation;
-- 3. the decision list: each mention takes its strongest collocation (farthest from 1/2; then the best supported,
--    then the feature's name, so the result is deterministic); it is labelled when that lies outside the abstain
--    band (|p - 1/2| >= $band), and left unlabelled otherwise.
create or replace table sense_term_priors as
select
    sense_priors.class_id,
    sense_priors.term,
    (coalesce(sum(sense_labels.label::int), 0) + $prior_weight * sense_priors.wordnet_prior)
        / (count(sense_labels.label) + $prior_weight) as prior
from sense_priors
left join sense_labels using (class_id, term)
group by sense_priors.class_id, sense_priors.term, sense_priors.wordnet_prior

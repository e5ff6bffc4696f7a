-- Features too common to be evidence of a sense: present in the windows of more than $generic_share of all flagged
-- mentions of the corpus, and of at least $generic_terms flagged terms (a, man, wearing in captions; in a small
-- corpus every word of one term's few windows is in a large share of them, and is no word of the whole corpus).
-- A statistic of the corpus itself, no list. A mention's features are
-- distinct, and a term shared by several classes has a row per class: counting the rows of each term's first class
-- counts each mention once, with no distinct to hash.
create or replace table sense_generic_features as
with first_classes as (
    select term, min(class_id) as class_id
    from sense_priors
    group by term
)

select sense_features.feature
from sense_features
semi join first_classes using (term, class_id)
group by sense_features.feature
having count(*) > $generic_share * (select count(*) from sense_mentions)
    and count(distinct sense_features.term) >= $generic_terms

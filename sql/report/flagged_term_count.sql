-- How many distinct terms of the lexicon are flagged as ambiguous.
select count(distinct term) as n_flagged
from lexicon
where flagged

-- Every match of the run's lexicon, curated exclusions included, so that a development set drawn from
-- them does not depend on the curation it judges.
select doc_id, source, term, class_id, flagged, n_tokens
from mentions
union all
select doc_id, source, term, class_id, false as flagged, n_tokens
from uncounted_mentions
where status = 'excluded'

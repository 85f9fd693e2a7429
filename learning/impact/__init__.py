"""Learning into practice: confidence ratings, course evaluations, follow-ups three months
on, and the impact page and sheet that report them per recommendation and agency."""

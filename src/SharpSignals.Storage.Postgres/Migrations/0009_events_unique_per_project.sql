-- De-duplication is per project: the same SET may reach several projects (an inbound stream in
-- each), and each routes it. A project's inbound stream that claims another project's source
-- issuer must not be able to make that project drop the source's genuine SETs as duplicates.
-- Every (jti, issuer) was unique, so every (jti, issuer, project) is: the rows stay as they are.
-- Leading with jti still finds an event by jti alone (GET /events/{jti}).
DROP INDEX ux_events_jti_issuer;
CREATE UNIQUE INDEX ux_events_jti_issuer_project ON events (jti, issuer, project);

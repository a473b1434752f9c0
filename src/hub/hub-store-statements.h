/* hub-store-statements.h — the statement store: one writer thread with group commit, queries
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables (hub_schema_statements_v1), which other parts may read:
 *
 *   statements (seq, id, stored_us, org_id, voided, is_voiding, verb_id, object_type,
 *               object_id, ref_id, registration, actor_key, learner, timestamp, json)
 *     id is the statement id in lower case; json is the statement exactly as returned
 *     (with stored, authority and version); org_id 0 = no organisation (admins only);
 *     object_id is the activity id, the agent key or the target statement id; ref_id is the
 *     target id when the object is a StatementRef.
 *   statement_agents (seq, agent_key, relation)       relation: 0 actor, 1 object (also the
 *                                                     members of an actor or object Group),
 *                                                     2 anywhere else
 *   statement_activities (seq, activity_id, relation) relation: 0 object, 2 other
 *   activities (activity_id, definition, updated_us)  every definition seen, merged with
 *                                                     hub_activity_merge_definition() (JSON
 *                                                     text, NULL when none was ever sent)
 *   attachments (sha2, content_type, length, body)
 *
 * Agent keys are hub_agent_key() (hub-store-documents.h): "mbox:mailto:x@y",
 * "mbox_sha1sum:hex", "openid:URI", "account:HOMEPAGE|NAME".
 */
#pragma once

#include <json-c/json.h>

#include "hub-request.h"

G_BEGIN_DECLS

/* Where an agent or activity appears in a statement (the `relation` columns). */
typedef enum
{
  HUB_REL_ACTOR           = 0,  /* agents: the actor (or a member of an actor Group) */
  HUB_REL_OBJECT          = 1,  /* agents: the object (or a member of an object Group) */
  HUB_REL_ACTIVITY_OBJECT = 0,  /* activities: the statement's object */
  HUB_REL_OTHER           = 2,  /* anywhere else: context, authority, sub-statement */
} HubRelation;

typedef struct
{
  char *key;        /* agent key or activity id */
  int   relation;   /* HubRelation */
} HubStatementLink;

/* An activity of a statement, with the definition it carries there. */
typedef struct
{
  char        *activity_id;
  json_object *definition;    /* a reference, or NULL (none) */
  char        *text;          /* the definition serialised (by the request's worker), or NULL */
} HubActivityDefinition;

/* One statement ready to be written (parsed and validated by the request's worker). */
typedef struct
{
  char        *id;            /* lower case */
  char        *text;          /* serialised statement without "stored" (a re-send under a
                                 stored id is compared with it) */
  char        *learner;       /* actor.account.name, or NULL */
  char        *actor_key;
  char        *verb_id;
  char        *object_type;
  char        *object_id;
  char        *ref_id;        /* StatementRef target (lower case), or NULL */
  char        *registration;
  char        *timestamp;
  gboolean     timestamp_filled;  /* writer: timestamp set from stored */
  gboolean     is_voiding;
  GArray      *agents;        /* HubStatementLink */
  GArray      *activities;    /* HubStatementLink */
  GPtrArray   *definitions;   /* HubActivityDefinition: one per activity id */
} HubStatementRow;

typedef struct
{
  char   *sha2;
  char   *content_type;
  GBytes *body;
} HubAttachmentPart;

/* A request's statements, written all or nothing. */
typedef struct
{
  GPtrArray *rows;          /* HubStatementRow */
  GPtrArray *attachments;   /* HubAttachmentPart */
  /* The parsed request the rows' definitions belong to, or NULL: the batch keeps it, so
   * that the thread that parsed it does not free it (and so change the counts of objects
   * the rows share) while the writer takes and drops references to them. json-c's
   * reference counts are not atomic. */
  json_object *tree;
  HubRole    role;
  gint64     org_id;        /* the principal's organisation (devices) */
  /* filled by the writer */
  guint      status;        /* 0 on success, else 403 / 409 / 500 / 503 */
  char      *message;
  gint64     last_stored_us;
} HubStatementBatch;

HubStatementRow   *hub_statement_row_new    (void);
void               hub_statement_row_free   (HubStatementRow *row);
HubStatementBatch *hub_statement_batch_new  (void);
void               hub_statement_batch_free (HubStatementBatch *batch);
void               hub_attachment_part_free (HubAttachmentPart *part);

/* Fills the row's index fields (learner, verb, object, agents, activities…) from the
 * statement. */
void       hub_statement_row_index      (HubStatementRow *row,
                                         json_object     *statement);
/* TRUE when two statements are the same for the purposes of an identical re-send:
 * ignores key order, `stored`, `authority` and `version`. */
gboolean   hub_statements_equal         (json_object *a,
                                         json_object *b);

/**
 * HubStatementsWrittenFn:
 * @batch: the batch, with batch->status 0 when written (or already there, identical), else
 *   403 / 409 / 500 / 503 with batch->message
 * @data: the data given to hub_statements_write()
 *
 * Called once the batch's transaction has committed (its statements are durable) or the
 * batch was refused: on the writer thread, which other requests' commits wait for, so it
 * must be quick and must not use the database; or, when the hub is shutting down, on the
 * calling thread before hub_statements_write() returns. The batch is the callee's to free.
 */
typedef void (*HubStatementsWrittenFn) (HubStatementBatch *batch,
                                        gpointer           data);

/* Hands the batch to the writer thread, which writes it with the other requests' batches
 * queued at the same time in one transaction, and then calls @written. Returns at once:
 * the caller's thread is not held while the commit waits for the disk. */
void       hub_statements_write         (HubStore               *store,
                                         HubStatementBatch      *batch,
                                         HubStatementsWrittenFn  written,
                                         gpointer                data);

/* Every statement stored at or before this time is visible to queries. */
gint64     hub_statements_consistent_through (HubStore *store);

typedef struct
{
  const char *agent_key;
  gboolean    related_agents;
  const char *verb;
  const char *activity;
  gboolean    related_activities;
  const char *registration;
  gint64      since_us;        /* -1: none; exclusive */
  gint64      until_us;        /* -1: none; inclusive */
  guint       limit;
  gboolean    ascending;
  gboolean    all_orgs;
  gint64      org_id;
  gboolean    has_cursor;      /* continue after (cursor_stored_us, cursor_seq) */
  gint64      cursor_stored_us;
  gint64      cursor_seq;
} HubStatementQuery;

/* Up to query->limit statements (JSON texts) into @out; *@more TRUE when there are more.
 * *@last_stored_us / *@last_seq: the position of the last one returned, *@max_stored_us
 * the newest stored among them (0 when none). */
gboolean   hub_store_statements_find    (HubDb                   *db,
                                         const HubStatementQuery *query,
                                         GPtrArray               *out,
                                         gboolean                *more,
                                         gint64                  *last_stored_us,
                                         gint64                  *last_seq,
                                         gint64                  *max_stored_us,
                                         GError                 **error);
/* One statement by id: @voided selects the voided one (voidedStatementId) or a non-voided
 * one (statementId). NULL with @error unset when there is none (in scope). */
char      *hub_store_statement_get      (HubDb       *db,
                                         const char  *id,
                                         gboolean     voided,
                                         gboolean     all_orgs,
                                         gint64       org_id,
                                         gint64      *stored_us,
                                         GError     **error);
GBytes    *hub_store_attachment_get     (HubDb       *db,
                                         const char  *sha2,
                                         char       **content_type,
                                         GError     **error);

G_END_DECLS

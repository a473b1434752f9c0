/* hub-store-documents.h — xAPI documents (State, Activity Profile, Agent Profile), agent keys
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owned by the documents part of the hub (hub-store-documents.c, served by
 * hub-xapi-documents.c). A document is any sequence of bytes with the Content-Type it was
 * sent with, addressed by its kind and the parameters of its resource: activityId, agent,
 * registration and stateId for State; activityId and profileId for Activity Profile;
 * agent and profileId for Agent Profile. Absent parts of the address are stored as ''.
 *
 * Organisations: every document belongs to one organisation's namespace (`org_id`, 0 for
 * none). A #HubDocScope says which namespaces a caller sees: devices and coordinators
 * only their organisation's; admins every organisation's (reads match any namespace, and
 * an admin's write updates the matching document wherever it lives or, when there is
 * none, creates it in the admin's own namespace).
 *
 * Writes are conditional (optimistic): an update names the ETag it replaces and changes
 * nothing when another writer got there first, an insert does nothing when the document
 * appeared meanwhile, so the caller can re-read and decide again without a transaction.
 */
#pragma once

#include <json-c/json.h>

#include "hub-store.h"

G_BEGIN_DECLS

typedef enum
{
  HUB_DOC_STATE,
  HUB_DOC_ACTIVITY_PROFILE,
  HUB_DOC_AGENT_PROFILE,
} HubDocKind;

/**
 * HubDocScope:
 * @org_id: the caller's organisation: where new documents go (0 for none)
 * @all_orgs: reads and deletes match documents of every organisation (admins)
 */
typedef struct
{
  gint64   org_id;
  gboolean all_orgs;
} HubDocScope;

/**
 * HubDocKey:
 * @kind: the resource
 * @activity_id: State and Activity Profile, else %NULL
 * @agent_key: hub_agent_key() of the agent for State and Agent Profile, else %NULL
 * @registration: State only, lower-case UUID, or %NULL for none
 * @doc_id: stateId or profileId; %NULL for "every document" (list, delete all)
 */
typedef struct
{
  HubDocKind  kind;
  const char *activity_id;
  const char *agent_key;
  const char *registration;
  const char *doc_id;
} HubDocKey;

/**
 * HubDocument:
 * @row_id: the row, for hub_store_document_update()
 * @org_id: the namespace it lives in
 * @content_type: as sent by the client that wrote it (merges are "application/json")
 * @body: the bytes
 * @etag: SHA-1 of @body in lower-case hex, unquoted (40 characters)
 * @updated_us: when it was last written, microseconds since the epoch
 */
typedef struct
{
  gint64  row_id;
  gint64  org_id;
  char   *content_type;
  GBytes *body;
  char   *etag;
  gint64  updated_us;
} HubDocument;

void         hub_document_free         (HubDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HubDocument, hub_document_free)

const char  *hub_doc_kind_to_string    (HubDocKind kind);

/* Lower-case hex SHA-1 of @body (what ETags are made of; the conformance suite checks for
 * 40 hexadecimal digits). */
char        *hub_document_etag         (GBytes      *body);

/* The one document at @key (@key->doc_id set) visible in @scope: TRUE and *@doc set (or
 * NULL when there is none); FALSE with @error on a database failure. When an admin sees
 * several namespaces holding the same address, the most recently written wins. */
gboolean     hub_store_document_get    (HubDb             *db,
                                        const HubDocKey   *key,
                                        const HubDocScope *scope,
                                        HubDocument      **doc,
                                        GError           **error);
/* Creates the document in namespace @org_id. TRUE and *@inserted FALSE when a document at
 * that address appeared meanwhile (nothing written). */
gboolean     hub_store_document_insert (HubDb             *db,
                                        const HubDocKey   *key,
                                        gint64             org_id,
                                        const char        *content_type,
                                        GBytes            *body,
                                        gint64             now_us,
                                        gboolean          *inserted,
                                        GError           **error);
/* Replaces the document in row @row_id if its ETag is still @old_etag: TRUE and
 * *@updated FALSE when it was changed or deleted meanwhile (nothing written). */
gboolean     hub_store_document_update (HubDb             *db,
                                        gint64             row_id,
                                        const char        *old_etag,
                                        const char        *content_type,
                                        GBytes            *body,
                                        gint64             now_us,
                                        gboolean          *updated,
                                        GError           **error);
/* Deletes the document at @key, or every document of its activity/agent/registration
 * when @key->doc_id is NULL (State), in @scope. For a single document, @etag (may be NULL)
 * makes the delete conditional. Returns the number of rows deleted, -1 on error. */
gint64       hub_store_document_delete (HubDb             *db,
                                        const HubDocKey   *key,
                                        const HubDocScope *scope,
                                        const char        *etag,
                                        GError           **error);
/* The ids (stateId/profileId) of the documents at @key (doc_id ignored) in @scope written
 * after @since_us (exclusive; G_MININT64 for all), sorted, without duplicates. */
GPtrArray   *hub_store_document_ids    (HubDb             *db,
                                        const HubDocKey   *key,
                                        const HubDocScope *scope,
                                        gint64             since_us,
                                        GError           **error);

/* --- Agents --------------------------------------------------------------------------- */

/**
 * hub_agent_key:
 * @agent: an Agent or identified Group (a JSON object)
 *
 * The canonical key of an agent's identity (its inverse functional identifier), used
 * wherever the hub stores or looks up "the same agent" (documents, statement_agents):
 *
 *   mbox          "mbox:" + the mbox IRI as sent          e.g. "mbox:mailto:ann@example.org"
 *   mbox_sha1sum  "mbox_sha1sum:" + the sum in lower case  e.g. "mbox_sha1sum:ab12…"
 *   openid        "openid:" + the openid URI as sent      e.g. "openid:http://ann.example.org/"
 *   account       "account:" + homePage + "|" + name       e.g. "account:http://x.org|ann"
 *
 * Only the IFI counts: name and objectType are ignored, so the same Agent and an
 * identified Group with the same IFI share a key. No validation beyond what makes the key:
 * validate first (hub_agent_validate()) where the input comes from a client.
 *
 * Returns: (transfer full) (nullable): the key, or %NULL when @agent is not an object
 *   with exactly one well-typed IFI (e.g. an anonymous Group)
 */
char        *hub_agent_key             (json_object *agent);

/* Checks @agent as xAPI 1.0.3 requires of an Agent (core's statement validation); the
 * message of @error (SY_XAPI_ERROR) names the offending property as "agent.…". */
gboolean     hub_agent_validate        (json_object *agent,
                                        GError     **error);

/* --- Activities ----------------------------------------------------------------------- */

/**
 * hub_activity_merge_definition:
 * @old_definition: (nullable): the definition stored so far
 * @new_definition: (nullable): the definition in a newly stored statement
 *
 * What the Activities resource should return after both were seen (the conformance
 * suite sends two statements with different languages for one activity and expects both):
 * language maps (name, description, and each interaction component's description are
 * taken from the newer statement) and extensions are united, the newer value winning for
 * the same language or key; other properties are taken from the newer definition when it
 * has them. Usable by the statements part when it fills the `activities` table.
 *
 * Returns: (transfer full) (nullable): a new object, or %NULL when both are %NULL
 */
json_object *hub_activity_merge_definition (json_object *old_definition,
                                            json_object *new_definition);

G_END_DECLS

/* test-xapi.c — validating xAPI 1.0.3 statements
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each rule has a case that breaks it, by changing one property of a valid statement,
 * and the error must name that property's path: the hub sends the message back in a 400
 * response, where a wrong path would send a developer looking in the wrong place.
 */
#include "config.h"

#include "sy-statement.h"
#include "sy-xapi.h"

#define UUID1 "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
#define UUID2 "FD41C918-B88B-4B20-A0A5-A4C32391AAA1"
#define SHA1  "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"
#define SHA256 "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
#define ACT   "http://www.example.com/meetings/occurances/34534"

static const char minimal[] =
  "{\"actor\": {\"mbox\": \"mailto:xapi@example.com\"},"
  " \"verb\": {\"id\": \"http://adlnet.gov/expapi/verbs/created\"},"
  " \"object\": {\"id\": \"" ACT "\"}}";

/* Every part of a statement that has an Activity as object. */
static const char rich[] =
  "{\"id\": \"" UUID1 "\","
  " \"actor\": {\"objectType\": \"Agent\", \"name\": \"Zhang Wei\","
  "   \"account\": {\"homePage\": \"https://learners.example.org/\", \"name\": \"zw-001\"}},"
  " \"verb\": {\"id\": \"http://adlnet.gov/expapi/verbs/answered\","
  "   \"display\": {\"en-US\": \"answered\", \"zh-Hans-CN\": \"回答了\", \"und\": \"x\"}},"
  " \"object\": {\"objectType\": \"Activity\", \"id\": \"" ACT "\","
  "   \"definition\": {"
  "     \"name\": {\"en-GB\": \"Question 1\"},"
  "     \"description\": {\"en-GB\": \"Which is clean?\"},"
  "     \"type\": \"http://adlnet.gov/expapi/activities/cmi.interaction\","
  "     \"moreInfo\": \"https://example.org/more\","
  "     \"interactionType\": \"choice\","
  "     \"correctResponsesPattern\": [\"a[,]b\"],"
  "     \"choices\": [{\"id\": \"a\", \"description\": {\"en-US\": \"Water\"}},"
  "                 {\"id\": \"b\", \"description\": {\"en-US\": \"Soap\"}}],"
  "     \"extensions\": {\"http://example.org/ext/x\": {\"any\": [1, null]}}}},"
  " \"result\": {"
  "   \"score\": {\"scaled\": -0.5, \"raw\": 3, \"min\": -10, \"max\": 10.5},"
  "   \"success\": false, \"completion\": true, \"response\": \"a[,]b\","
  "   \"duration\": \"PT1H0M0.1S\", \"extensions\": {\"urn:example:ext\": 1}},"
  " \"context\": {"
  "   \"registration\": \"" UUID2 "\","
  "   \"instructor\": {\"objectType\": \"Group\", \"name\": \"Teachers\","
  "     \"member\": [{\"mbox_sha1sum\": \"" SHA1 "\"}, {\"openid\": \"http://openid.example.org/1\"}]},"
  "   \"team\": {\"objectType\": \"Group\", \"mbox\": \"mailto:team@example.org\","
  "     \"member\": [{\"mbox\": \"mailto:a@example.org\"}]},"
  "   \"contextActivities\": {"
  "     \"parent\": [{\"id\": \"http://example.org/parent\"}],"
  "     \"grouping\": {\"objectType\": \"Activity\", \"id\": \"http://example.org/course\"},"
  "     \"category\": [{\"id\": \"http://example.org/profile\"}],"
  "     \"other\": []},"
  "   \"revision\": \"2\", \"platform\": \"Shuyuan\", \"language\": \"zh-CN\","
  "   \"statement\": {\"objectType\": \"StatementRef\", \"id\": \"" UUID1 "\"},"
  "   \"extensions\": {\"https://shuyuan.invalid/xapi/extensions/device\": \"pc\"}},"
  " \"timestamp\": \"2026-03-01T08:30:00.123+08:00\","
  " \"version\": \"1.0.3\","
  " \"attachments\": [{"
  "   \"usageType\": \"http://adlnet.gov/expapi/attachments/signature\","
  "   \"display\": {\"en-US\": \"Signature\"}, \"description\": {\"en-US\": \"A test\"},"
  "   \"contentType\": \"application/octet-stream\", \"length\": 4235,"
  "   \"sha2\": \"" SHA256 "\", \"fileUrl\": \"https://example.org/file\"}]}";

static const char substatement[] =
  "{\"actor\": {\"mbox\": \"mailto:xapi@example.com\"},"
  " \"verb\": {\"id\": \"http://example.org/verbs/planned\"},"
  " \"object\": {\"objectType\": \"SubStatement\","
  "   \"actor\": {\"mbox\": \"mailto:xapi@example.com\"},"
  "   \"verb\": {\"id\": \"http://example.org/verbs/visit\", \"display\": {\"en-US\": \"visit\"}},"
  "   \"object\": {\"objectType\": \"StatementRef\", \"id\": \"" UUID1 "\"},"
  "   \"result\": {\"duration\": \"P3Y\"},"
  "   \"context\": {\"registration\": \"" UUID1 "\"},"
  "   \"timestamp\": \"20260301T083000Z\"}}";

static const char from_lrs[] =
  "{\"id\": \"" UUID1 "\","
  " \"actor\": {\"mbox\": \"mailto:xapi@example.com\"},"
  " \"verb\": {\"id\": \"http://adlnet.gov/expapi/verbs/voided\"},"
  " \"object\": {\"objectType\": \"StatementRef\", \"id\": \"" UUID2 "\"},"
  " \"stored\": \"2026-03-01T08:30:00Z\","
  " \"authority\": {\"objectType\": \"Group\", \"member\": ["
  "   {\"account\": {\"homePage\": \"http://example.com/xAPI/OAuth/Token\", \"name\": \"oauth\"}},"
  "   {\"mbox\": \"mailto:bob@example.com\"}]},"
  " \"version\": \"1.0\"}";

typedef struct
{
  const char  *base;
  const char  *path;    /* dot-separated keys and array indices; NULL for the base itself */
  const char  *value;   /* JSON to put there; NULL deletes it */
  SyXapiFlags  flags;
  const char  *error;   /* the path the error must start with; NULL when valid */
} Case;

#define ALL (SY_XAPI_REQUIRE_ID | SY_XAPI_ALLOW_LRS_PROPERTIES)

static const Case cases[] = {
  /* Valid statements and variants of them */
  { minimal, NULL, NULL, 0, NULL },
  { rich, NULL, NULL, SY_XAPI_REQUIRE_ID, NULL },
  { substatement, NULL, NULL, 0, NULL },
  { from_lrs, NULL, NULL, ALL, NULL },
  { minimal, "id", "\"" UUID2 "\"", SY_XAPI_REQUIRE_ID, NULL },
  { minimal, "id", "\"00000000-0000-0000-C000-000000000000\"", 0, NULL },
  { minimal, "actor", "{\"openid\": \"http://openid.example.org/12345\"}", 0, NULL },
  { minimal, "actor", "{\"objectType\": \"Group\", \"member\": [{\"mbox\": \"mailto:a@b.c\"}]}", 0, NULL },
  { minimal, "object", "{\"objectType\": \"Agent\", \"mbox\": \"mailto:a@b.c\"}", 0, NULL },
  { minimal, "object", "{\"objectType\": \"Group\", \"account\": {\"homePage\": \"http://a.b/\", \"name\": \"g\"}}", 0, NULL },
  { minimal, "object", "{\"objectType\": \"StatementRef\", \"id\": \"" UUID1 "\"}", 0, NULL },
  { rich, "object.definition", "{\"interactionType\": \"matching\", \"source\": [{\"id\": \"a\"}], \"target\": [{\"id\": \"a\"}]}", 0, NULL },
  { rich, "object.definition", "{\"interactionType\": \"likert\", \"scale\": [{\"id\": \"1\"}, {\"id\": \"2\"}]}", 0, NULL },
  { rich, "object.definition", "{\"interactionType\": \"performance\", \"steps\": [{\"id\": \"1\"}]}", 0, NULL },
  { rich, "object.definition", "{\"interactionType\": \"sequencing\", \"choices\": [{\"id\": \"1\"}]}", 0, NULL },
  { rich, "object.definition", "{\"interactionType\": \"true-false\", \"correctResponsesPattern\": [\"true\"]}", 0, NULL },
  { rich, "result.duration", "\"P4W\"", 0, NULL },
  { rich, "result.duration", "\"P3Y1M29DT4H35M59.14S\"", 0, NULL },
  { rich, "result.score", "{\"raw\": 10.5, \"min\": 0, \"max\": 10.5}", 0, NULL },
  { rich, "timestamp", "\"2026-03-01T08:30:00Z\"", 0, NULL },
  { rich, "timestamp", "\"2026-03-01T08:30:00\"", 0, NULL },
  { rich, "version", "\"1.0.9\"", 0, NULL },
  { rich, "version", NULL, 0, NULL },
  { rich, "context.language", "\"x-klingon\"", 0, NULL },

  /* Statement */
  { minimal, NULL, NULL, SY_XAPI_REQUIRE_ID, "id" },
  { minimal, "id", "\"not-a-uuid\"", 0, "id" },
  { minimal, "id", "42", 0, "id" },
  { minimal, "Actor", "{}", 0, "Actor" },
  { minimal, "foo", "1", 0, "foo" },
  { minimal, "objectType", "\"Statement\"", 0, "objectType" },
  { minimal, "actor", NULL, 0, "actor" },
  { minimal, "verb", NULL, 0, "verb" },
  { minimal, "object", NULL, 0, "object" },
  { from_lrs, NULL, NULL, SY_XAPI_REQUIRE_ID, "stored" },
  { from_lrs, "stored", NULL, SY_XAPI_REQUIRE_ID, "authority" },
  { from_lrs, "stored", "\"yesterday\"", ALL, "stored" },
  { from_lrs, "authority", "{\"objectType\": \"Group\", \"member\": [{\"mbox\": \"mailto:a@b.c\"}]}", ALL, "authority" },
  { from_lrs, "authority.mbox", "\"mailto:group@example.com\"", ALL, "authority.mbox" },
  { from_lrs, "authority.member.2", "{\"mbox\": \"mailto:c@example.com\"}", ALL, "authority" },
  { from_lrs, "authority", "{\"mbox\": \"mailto:c@example.com\"}", ALL, NULL },
  { from_lrs, "authority.member.1.mbox", "\"bob@example.com\"", ALL, "authority.member[1].mbox" },
  { minimal, "version", "\"1.1.0\"", 0, "version" },
  { minimal, "version", "\"0.9.9\"", 0, "version" },
  { minimal, "version", "1.0", 0, "version" },

  /* Actor */
  { minimal, "actor.mbox", "\"bob@example.org\"", 0, "actor.mbox" },
  { minimal, "actor.mbox", "\"mailto:\"", 0, "actor.mbox" },
  { minimal, "actor.mbox", "\"mailto:bob at example.org\"", 0, "actor.mbox" },
  { minimal, "actor", "{}", 0, "actor" },
  { minimal, "actor", "{\"name\": \"Bob\"}", 0, "actor" },
  { minimal, "actor", "{\"mbox\": \"mailto:a@b.c\", \"openid\": \"http://a.b/\"}", 0, "actor" },
  { minimal, "actor", "[]", 0, "actor" },
  { minimal, "actor.name", "7", 0, "actor.name" },
  { minimal, "actor.objectType", "\"agent\"", 0, "actor.objectType" },
  { minimal, "actor.objectType", "\"Person\"", 0, "actor.objectType" },
  { minimal, "actor.mbox_sha1sum", "\"" SHA1 "\"", 0, "actor" },
  { minimal, "actor", "{\"mbox_sha1sum\": \"ebd31e95\"}", 0, "actor.mbox_sha1sum" },
  { minimal, "actor", "{\"openid\": \"not an iri\"}", 0, "actor.openid" },
  { minimal, "actor", "{\"account\": {\"name\": \"x\"}}", 0, "actor.account.homePage" },
  { minimal, "actor", "{\"account\": {\"homePage\": \"http://a.b/\"}}", 0, "actor.account.name" },
  { minimal, "actor", "{\"account\": {\"homePage\": \"a.b\", \"name\": \"x\"}}", 0, "actor.account.homePage" },
  { minimal, "actor", "{\"account\": {\"homePage\": \"http://a.b/\", \"name\": \"x\", \"Name\": \"y\"}}", 0, "actor.account.Name" },
  { minimal, "actor.member", "[]", 0, "actor.member" },
  { minimal, "actor", "{\"objectType\": \"Group\"}", 0, "actor.member" },
  { minimal, "actor", "{\"objectType\": \"Group\", \"member\": {}}", 0, "actor.member" },
  { minimal, "actor", "{\"objectType\": \"Group\", \"member\": [{\"objectType\": \"Group\", \"member\": []}]}", 0, "actor.member[0]" },
  { minimal, "actor", "{\"objectType\": \"Group\", \"member\": [{\"mbox\": \"x\"}]}", 0, "actor.member[0].mbox" },
  { minimal, "actor", "{\"objectType\": \"Group\", \"mbox\": \"mailto:a@b.c\", \"openid\": \"http://a.b/\"}", 0, "actor" },

  /* Verb */
  { minimal, "verb.id", NULL, 0, "verb.id" },
  { minimal, "verb.id", "\"created\"", 0, "verb.id" },
  { minimal, "verb.display", "\"created\"", 0, "verb.display" },
  { minimal, "verb.display", "{\"fr-FR-\": \"créé\"}", 0, "verb.display.fr-FR-" },
  { minimal, "verb.display", "{\"en-US\": 1}", 0, "verb.display.en-US" },
  { minimal, "verb.Display", "{}", 0, "verb.Display" },
  { minimal, "verb.display", "{}", 0, "verb.display" },
  { minimal, "verb.display", "{\"a12345\": \"should error\"}", 0, "verb.display.a12345" },

  /* Object: Activity */
  { minimal, "object.id", NULL, 0, "object.id" },
  { minimal, "object.id", "\"http://exa mple.com/\"", 0, "object.id" },
  { minimal, "object.objectType", "\"activity\"", 0, "object.objectType" },
  { minimal, "object.objectType", "7", 0, "object.objectType" },
  { minimal, "object.definition", "[]", 0, "object.definition" },
  { rich, "object.definition.name", "{\"en_US\": \"x\"}", 0, "object.definition.name.en_US" },
  { rich, "object.definition.name", "{\"de-419-DE\": \"x\"}", 0, "object.definition.name.de-419-DE" },
  { rich, "object.definition.name", "{\"en\": null}", 0, "object.definition.name.en" },
  { rich, "object.definition.moreInfo", "null", 0, "object.definition.moreInfo" },
  { rich, "context.registration", "null", 0, "context.registration" },
  { minimal, "actor.name", "null", 0, "actor.name" },
  { rich, "context.extensions", "{\"http://example.com/null\": null}", 0, NULL },
  { rich, "object.definition.description", "\"text\"", 0, "object.definition.description" },
  { rich, "object.definition.type", "\"cmi.interaction\"", 0, "object.definition.type" },
  { rich, "object.definition.moreInfo", "\"/relative\"", 0, "object.definition.moreInfo" },
  { rich, "object.definition.extensions", "{\"not an iri\": 1}", 0, "object.definition.extensions.not an iri" },
  { rich, "object.definition.interactionType", "\"multiple-choice\"", 0, "object.definition.interactionType" },
  { rich, "object.definition.interactionType", "\"fill-in\"", 0, "object.definition.choices" },
  { rich, "object.definition.interactionType", NULL, 0, "object.definition.choices" },
  { rich, "object.definition.choices", "{}", 0, "object.definition.choices" },
  { rich, "object.definition.choices.1.id", "\"a\"", 0, "object.definition.choices[1].id" },
  { rich, "object.definition.choices.1.id", NULL, 0, "object.definition.choices[1].id" },
  { rich, "object.definition.choices.0.description", "{\"en US\": \"x\"}", 0, "object.definition.choices[0].description.en US" },
  { rich, "object.definition.choices.0.label", "\"x\"", 0, "object.definition.choices[0].label" },
  { rich, "object.definition.scale", "[]", 0, "object.definition.scale" },
  { rich, "object.definition.correctResponsesPattern", "\"a\"", 0, "object.definition.correctResponsesPattern" },
  { rich, "object.definition.correctResponsesPattern.0", "1", 0, "object.definition.correctResponsesPattern[0]" },
  { rich, "object.definition.Type", "\"http://a.b/\"", 0, "object.definition.Type" },

  /* Object: Agent, Group, StatementRef, SubStatement */
  { minimal, "object", "{\"objectType\": \"Agent\"}", 0, "object" },
  { minimal, "object", "{\"objectType\": \"Group\", \"mbox\": \"x\"}", 0, "object.mbox" },
  { minimal, "object", "{\"objectType\": \"Thing\", \"id\": \"" ACT "\"}", 0, "object.objectType" },
  { minimal, "object", "{\"objectType\": \"StatementRef\", \"id\": \"" ACT "\"}", 0, "object.id" },
  { minimal, "object", "{\"objectType\": \"StatementRef\"}", 0, "object.id" },
  { minimal, "object", "{\"objectType\": \"StatementRef\", \"id\": \"" UUID1 "\", \"definition\": {}}", 0, "object.definition" },
  { substatement, "object.id", "\"" UUID1 "\"", 0, "object.id" },
  { substatement, "object.stored", "\"2026-03-01T08:30:00Z\"", 0, "object.stored" },
  { substatement, "object.version", "\"1.0.3\"", 0, "object.version" },
  { substatement, "object.authority", "{\"mbox\": \"mailto:a@b.c\"}", 0, "object.authority" },
  { substatement, "object.object", "{\"objectType\": \"SubStatement\"}", 0, "object.object.objectType" },
  { substatement, "object.actor.mbox", "\"x\"", 0, "object.actor.mbox" },
  { substatement, "object.verb", NULL, 0, "object.verb" },
  { substatement, "object.result.duration", "\"PA1H0M0S\"", 0, "object.result.duration" },
  { substatement, "object.timestamp", "\"2008-09-15T15:53:00.601-00:00\"", 0, "object.timestamp" },
  { substatement, "object.context.registration", "\"x\"", 0, "object.context.registration" },

  /* Result */
  { rich, "result", "[]", 0, "result" },
  { rich, "result.score.scaled", "1.5", 0, "result.score.scaled" },
  { rich, "result.score.scaled", "-1.01", 0, "result.score.scaled" },
  { rich, "result.score.scaled", "\"0.5\"", 0, "result.score.scaled" },
  { rich, "result.score.min", "10.5", 0, "result.score.max" },
  { rich, "result.score.raw", "11", 0, "result.score.raw" },
  { rich, "result.score.raw", "-11", 0, "result.score.raw" },
  { rich, "result.score.Scaled", "0", 0, "result.score.Scaled" },
  { rich, "result.success", "\"true\"", 0, "result.success" },
  { rich, "result.completion", "1", 0, "result.completion" },
  { rich, "result.response", "[\"a\"]", 0, "result.response" },
  { rich, "result.duration", "\"should fail\"", 0, "result.duration" },
  { rich, "result.duration", "12345", 0, "result.duration" },
  { rich, "result.extensions", "{\"ext\": 1}", 0, "result.extensions.ext" },

  /* Context */
  { rich, "context", "\"ctx\"", 0, "context" },
  { rich, "context.registration", "\"" ACT "\"", 0, "context.registration" },
  { rich, "context.instructor", "{\"name\": \"x\"}", 0, "context.instructor" },
  { rich, "context.instructor.member.0.mbox_sha1sum", "\"xyz\"", 0, "context.instructor.member[0].mbox_sha1sum" },
  { rich, "context.team", "{\"mbox\": \"mailto:a@b.c\"}", 0, "context.team" },
  { rich, "context.team.member.0", "{\"objectType\": \"Group\", \"mbox\": \"mailto:a@b.c\"}", 0, "context.team.member[0]" },
  { rich, "context.contextActivities", "[]", 0, "context.contextActivities" },
  { rich, "context.contextActivities.parent.0.id", "\"parent\"", 0, "context.contextActivities.parent[0].id" },
  { rich, "context.contextActivities.grouping.id", "\"grouping\"", 0, "context.contextActivities.grouping.id" },
  { rich, "context.contextActivities.category", "\"http://a.b/\"", 0, "context.contextActivities.category" },
  { rich, "context.contextActivities.other", "[{\"objectType\": \"Agent\", \"mbox\": \"mailto:a@b.c\"}]", 0, "context.contextActivities.other[0].objectType" },
  { rich, "context.contextActivities.sibling", "[]", 0, "context.contextActivities.sibling" },
  { rich, "context.revision", "2", 0, "context.revision" },
  { rich, "context.platform", "true", 0, "context.platform" },
  { rich, "object", "{\"objectType\": \"Agent\", \"mbox\": \"mailto:a@b.c\"}", 0, "context.revision" },
  { minimal, "context", "{\"platform\": \"x\"}", 0, NULL },
  { minimal, "object", "{\"objectType\": \"Group\", \"member\": [{\"mbox\": \"mailto:a@b.c\"}]}", 0, NULL },
  { rich, "context.revision", NULL, 0, NULL },
  { rich, "context.language", "7", 0, "context.language" },
  { rich, "context.language", "\"supercalifragilisticexpialidociouswhatabouthhhhhhh1\"", 0, NULL },
  { rich, "context.statement", "{\"id\": \"" UUID1 "\"}", 0, "context.statement.objectType" },
  { rich, "context.statement.id", "\"x\"", 0, "context.statement.id" },
  { rich, "context.extensions", "{\"device\": \"pc\"}", 0, "context.extensions.device" },
  { rich, "context.extensions", "[]", 0, "context.extensions" },
  { rich, "context.Platform", "\"x\"", 0, "context.Platform" },

  /* Timestamp */
  { rich, "timestamp", "\"should fail\"", 0, "timestamp" },
  { rich, "timestamp", "\"01/011/2015\"", 0, "timestamp" },
  { rich, "timestamp", "\"2008-09-15T15:53:00.601-00\"", 0, "timestamp" },
  { rich, "timestamp", "\"2008-09-15T15:53:00.601-0000\"", 0, "timestamp" },
  { rich, "timestamp", "\"2008-09-15T15:53:00.601-00:00\"", 0, "timestamp" },
  { rich, "timestamp", "1700000000", 0, "timestamp" },

  /* Attachments */
  { rich, "attachments", "{}", 0, "attachments" },
  { rich, "attachments.0.usageType", NULL, 0, "attachments[0].usageType" },
  { rich, "attachments.0.usageType", "\"signature\"", 0, "attachments[0].usageType" },
  { rich, "attachments.0.display", NULL, 0, "attachments[0].display" },
  { rich, "attachments.0.display", "{\"en-US\": [\"x\"]}", 0, "attachments[0].display.en-US" },
  { rich, "attachments.0.description", "\"x\"", 0, "attachments[0].description" },
  { rich, "attachments.0.contentType", NULL, 0, "attachments[0].contentType" },
  { rich, "attachments.0.contentType", "\"pdf\"", 0, "attachments[0].contentType" },
  { rich, "attachments.0.contentType", "\"text/plain; charset=ascii\"", 0, NULL },
  { rich, "attachments.0.contentType", "\"text plain/x\"", 0, "attachments[0].contentType" },
  { rich, "attachments.0.description", "{}", 0, "attachments[0].description" },
  { rich, "attachments.0.length", "\"4235\"", 0, "attachments[0].length" },
  { rich, "attachments.0.length", "42.5", 0, "attachments[0].length" },
  { rich, "attachments.0.length", NULL, 0, "attachments[0].length" },
  { rich, "attachments.0.sha2", "\"abc\"", 0, "attachments[0].sha2" },
  { rich, "attachments.0.sha2", NULL, 0, "attachments[0].sha2" },
  { rich, "attachments.0.fileUrl", "\"file\"", 0, "attachments[0].fileUrl" },
  { rich, "attachments.0.FileUrl", "\"http://a.b/\"", 0, "attachments[0].FileUrl" },

  /* Voiding */
  { minimal, "verb.id", "\"http://adlnet.gov/expapi/verbs/voided\"", 0, "object" },
  { from_lrs, "object", "{\"objectType\": \"Agent\", \"mbox\": \"mailto:a@b.c\"}", ALL, "object" },
};

/* Puts @value (JSON, or NULL to delete) at @path in @root. */
static void
set_path (json_object *root,
          const char  *path,
          const char  *value)
{
  g_auto(GStrv) keys = g_strsplit (path, ".", -1);
  json_object *parent = root;
  guint n = g_strv_length (keys);
  json_object *new_value = NULL;

  for (guint i = 0; i + 1 < n; i++)
    {
      json_object *next = NULL;

      if (json_object_is_type (parent, json_type_array))
        next = json_object_array_get_idx (parent, atoi (keys[i]));
      else
        g_assert_true (json_object_object_get_ex (parent, keys[i], &next));
      g_assert_nonnull (next);
      parent = next;
    }

  if (value != NULL)
    {
      new_value = json_tokener_parse (value);
      g_assert_true (new_value != NULL || g_str_equal (value, "null"));
    }

  if (json_object_is_type (parent, json_type_array))
    {
      if (value == NULL)
        json_object_array_del_idx (parent, atoi (keys[n - 1]), 1);
      else
        json_object_array_put_idx (parent, atoi (keys[n - 1]), new_value);
    }
  else if (value == NULL)
    {
      g_assert_true (json_object_object_get_ex (parent, keys[n - 1], NULL));
      json_object_object_del (parent, keys[n - 1]);
    }
  else
    json_object_object_add (parent, keys[n - 1], new_value);
}

static void
test_cases (gconstpointer data)
{
  const Case *c = data;
  json_object *statement = json_tokener_parse (c->base);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_assert_nonnull (statement);
  if (c->path != NULL)
    set_path (statement, c->path, c->value);

  ok = sy_xapi_validate_statement (statement, c->flags, &error);
  if (c->error == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_autofree char *prefix = g_strconcat (c->error, ": ", NULL);

      g_assert_false (ok);
      g_assert_error (error, SY_XAPI_ERROR, SY_XAPI_ERROR_INVALID);
      g_test_message ("%s", error->message);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("expected an error about %s, got: %s", c->error, error->message);
    }
  json_object_put (statement);
}

static void
test_message (void)
{
  json_object *statement = json_tokener_parse (minimal);
  g_autoptr(GError) error = NULL;

  set_path (statement, "actor.mbox", "\"bob@example.org\"");
  g_assert_false (sy_xapi_validate_statement (statement, 0, &error));
  g_assert_cmpstr (error->message, ==, "actor.mbox: “bob@example.org” is not a mailto IRI");
  json_object_put (statement);
}

static void
test_not_object (void)
{
  json_object *array = json_object_new_array ();
  g_autoptr(GError) error = NULL;

  g_assert_false (sy_xapi_validate_statement (array, 0, &error));
  g_assert_error (error, SY_XAPI_ERROR, SY_XAPI_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "statement: "));
  json_object_put (array);
}

/* A long value is cut short in the message, and cut between characters. */
static void
test_long_value (void)
{
  json_object *statement = json_tokener_parse (minimal);
  g_autoptr(GString) iri = g_string_new ("not an iri ");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    g_string_append (iri, "书");
  json_object_object_add (json_object_object_get (statement, "object"), "id",
                          json_object_new_string (iri->str));
  g_assert_false (sy_xapi_validate_statement (statement, 0, &error));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_nonnull (strstr (error->message, "…”"));
  g_assert_cmpuint (g_utf8_strlen (error->message, -1), <, 160);
  json_object_put (statement);
}

typedef struct
{
  const char *text;
  gboolean    valid;
} Scalar;

static const Scalar iris[] = {
  { "http://example.com/a?b=c#d", TRUE },
  { "urn:uuid:" UUID1, TRUE },
  { "mailto:a@b.c", TRUE },
  { "https://例子.测试/路径", TRUE },
  { "http://example.com/%E4%B9%A6", TRUE },
  { "", FALSE },
  { "example.com", FALSE },
  { "/relative/path", FALSE },
  { "http:", FALSE },
  { "1http://a", FALSE },
  { "http://a b", FALSE },
  { "http://a/<b>", FALSE },
  { "http://a/%zz", FALSE },
  { ":nothing", FALSE },
};

static const Scalar tags[] = {
  { "en", TRUE },
  { "en-US", TRUE },
  { "zh-Hans-CN", TRUE },
  { "zh-cmn-Hans-CN", TRUE },
  { "es-419", TRUE },
  { "sl-rozaj-biske", TRUE },
  { "de-CH-1901", TRUE },
  { "en-US-u-islamcal", TRUE },
  { "en-a-bbb-x-a-ccc", TRUE },
  { "x-whatever", TRUE },
  { "i-klingon", TRUE },
  { "und", TRUE },
  { "EN-us", TRUE },
  { "", FALSE },
  { "e", FALSE },
  { "en_US", FALSE },
  { "en-", FALSE },
  { "-en", FALSE },
  { "en--US", FALSE },
  { "english", TRUE },      /* 5–8 letters is reserved for registration, but well-formed */
  { "en-US-x", FALSE },
  { "en-a", FALSE },
  { "123", FALSE },
  { "en-toolongsubtag", FALSE },
  { "zh-CN.UTF-8", FALSE },
  { "ine", TRUE },
  { "i-enochian", TRUE },
  { "sr-Latn-RS", TRUE },
  { "hy-Latn-IT-arevela", TRUE },
  { "az-Arab-x-AZE-derbend", TRUE },
  { "de-419-DE", FALSE },
  { "a-DE", FALSE },
  { "ar-a-aaa-b-bbb-a-ccc", FALSE },
  { "ar-a-aaa-B-bbb", TRUE },
  { "ar-a-aaa-A-bbb", FALSE },
};

static const Scalar durations[] = {
  { "PT1H0M0.1S", TRUE },
  { "PT4H35M59.14S", TRUE },
  { "PT16559.14S", TRUE },
  { "P3Y1M29DT4H35M59.14S", TRUE },
  { "P3Y", TRUE },
  { "P4W", TRUE },
  { "PT0S", TRUE },
  { "P1DT12H", TRUE },
  { "PT0,5S", TRUE },
  { "P0.5Y", TRUE },
  { "", FALSE },
  { "P", FALSE },
  { "PT", FALSE },
  { "P1DT", FALSE },
  { "PA1H0M0S", FALSE },
  { "should fail", FALSE },
  { "PT1S1M", FALSE },
  { "P1H", FALSE },
  { "PT1D", FALSE },
  { "P1W1D", FALSE },
  { "P1.5DT1H", FALSE },
  { "PT1.S", FALSE },
  { "pt1s", FALSE },
  { "PT-1S", FALSE },
  { "1H", FALSE },
  { "PT1H1H", FALSE },
};

static const Scalar timestamps[] = {
  { "2026-03-01T08:30:00Z", TRUE },
  { "2026-03-01T08:30:00.123456Z", TRUE },
  { "2026-03-01T08:30:00+08:00", TRUE },
  { "2026-03-01T08:30:00-05", TRUE },
  { "2026-03-01T08:30Z", TRUE },
  { "2026-03-01T08:30:00", TRUE },
  { "2024-02-29T00:00:00Z", TRUE },
  { "2016-12-31T23:59:60Z", TRUE },
  { "20260301T083000Z", TRUE },
  { "20260301T083000.5+0800", TRUE },
  { "2026-03-01T08:30:00,5Z", TRUE },
  { "", FALSE },
  { "should fail", FALSE },
  { "01/011/2015", FALSE },
  { "2026-03-01", FALSE },
  { "2026-03-01 08:30:00Z", FALSE },
  { "2026-13-01T08:30:00Z", FALSE },
  { "2025-02-29T08:30:00Z", FALSE },
  { "2026-03-01T24:00:00Z", FALSE },
  { "2026-03-01T08:60:00Z", FALSE },
  { "2026-03-01T08:30:00.Z", FALSE },
  { "2008-09-15T15:53:00.601-00", FALSE },
  { "2008-09-15T15:53:00.601-0000", FALSE },
  { "2008-09-15T15:53:00.601-00:00", FALSE },
  { "2026-03-01T08:30:00+0800", FALSE },   /* extended time, basic offset */
  { "20260301T08:30:00Z", FALSE },
  { "2026-03-01T08:30:00+08:00junk", FALSE },
  { "2026-03-01T08:30:00ZZ", FALSE },
};

static void
check_scalars (const Scalar *table,
               gsize         n,
               gboolean    (*func) (const char *))
{
  for (gsize i = 0; i < n; i++)
    if (func (table[i].text) != table[i].valid)
      g_error ("“%s” should be %s", table[i].text, table[i].valid ? "valid" : "invalid");
}

static void
test_iri (void)
{
  check_scalars (iris, G_N_ELEMENTS (iris), sy_xapi_is_iri);
}

static void
test_language_tag (void)
{
  check_scalars (tags, G_N_ELEMENTS (tags), sy_xapi_is_language_tag);
}

static void
test_duration (void)
{
  check_scalars (durations, G_N_ELEMENTS (durations), sy_xapi_is_iso8601_duration);
}

static void
test_timestamp (void)
{
  check_scalars (timestamps, G_N_ELEMENTS (timestamps), sy_xapi_is_timestamp);
}

/* The app's own statements must be valid xAPI, or the hub would refuse them. */
static void
test_app_statements (void)
{
  g_autoptr(SyText) name = sy_text_new_from_string ("{\"zh_CN\": \"卫生\", \"en\": \"Hygiene\"}");
  g_autoptr(SyText) plain = sy_text_new_from_string ("Hand washing");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) local = g_date_time_new_now_local ();
  g_autofree char *now_str = g_date_time_format_iso8601 (now);
  g_autofree char *local_str = g_date_time_format_iso8601 (local);
  g_autofree char *registration = g_uuid_string_random ();
  g_autofree char *device = g_uuid_string_random ();
  guint n = 0;

  for (SyVerb verb = 0; verb < SY_VERB_OTHER; verb++)
    for (guint shape = 0; shape < 4; shape++)
      {
        SyEvent event;
        g_autofree char *id = g_uuid_string_random ();
        g_autofree char *voids = g_uuid_string_random ();
        g_autoptr(GError) error = NULL;
        json_object *statement;

        sy_event_init (&event);
        event.learner_uuid = "4f0a1c2e-7a4b-4d55-9f1e-0c7d1b2a3e4f";
        event.verb = verb;
        event.course_id = "village-doctor-hygiene";
        event.object_name = shape == 1 ? plain : name;
        /* shape 0: the course; 1: a lesson; 2: a quiz; 3: a question of the quiz */
        if (shape >= 1)
          {
            event.item_id = shape == 1 ? "lesson-1" : "quiz-1";
            event.item_type = shape == 1 ? SY_ITEM_LESSON : SY_ITEM_QUIZ;
          }
        if (shape == 3)
          event.question_id = "q3";
        if (shape >= 2)
          event.registration = registration;

        switch (verb)
          {
          case SY_VERB_ATTEMPTED:
            event.seed = 12345;
            break;
          case SY_VERB_ANSWERED:
            event.response = "a[,]b";
            event.success = 1;
            event.seconds = 12.5;
            break;
          case SY_VERB_PROGRESSED:
          case SY_VERB_COMPLETED:
            event.seconds = 3725.25;
            event.completion = 1;
            break;
          case SY_VERB_PASSED:
          case SY_VERB_FAILED:
            event.score = verb == SY_VERB_PASSED ? 1.0 : 0.25;
            event.raw = verb == SY_VERB_PASSED ? 8 : 2;
            event.max = 8;
            event.success = verb == SY_VERB_PASSED;
            event.completion = 1;
            event.seconds = 0;
            event.tries = 3;   /* a puzzle's runs, a result extension */
            break;
          case SY_VERB_VOIDED:
            event.voids = voids;
            break;
          case SY_VERB_LAUNCHED:
          case SY_VERB_OTHER:
          default:
            break;
          }

        statement = sy_statement_build (&event, id, shape % 2 ? local_str : now_str,
                                        shape == 2 ? NULL : "张伟", SY_DEFAULT_HOME_PAGE,
                                        device);
        g_assert_nonnull (statement);
        if (!sy_xapi_validate_statement (statement, SY_XAPI_REQUIRE_ID, &error))
          g_error ("the app's %s statement is not valid xAPI: %s\n%s",
                   sy_verb_to_iri (verb), error->message,
                   json_object_to_json_string_ext (statement, JSON_C_TO_STRING_PRETTY));
        json_object_put (statement);
        n++;
      }
  g_assert_cmpuint (n, ==, SY_VERB_OTHER * 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *name = NULL;

      name = g_strdup_printf ("/xapi/statement/%s/%03" G_GSIZE_FORMAT "-%s",
                              c->error ? "invalid" : "valid", i,
                              c->error ? c->error : (c->path ? c->path : "base"));
      g_strdelimit (name + strlen ("/xapi/statement/"), "/", '_');
      g_test_add_data_func (name, c, test_cases);
    }
  g_test_add_func ("/xapi/statement/message", test_message);
  g_test_add_func ("/xapi/statement/not-object", test_not_object);
  g_test_add_func ("/xapi/statement/long-value", test_long_value);
  g_test_add_func ("/xapi/iri", test_iri);
  g_test_add_func ("/xapi/language-tag", test_language_tag);
  g_test_add_func ("/xapi/duration", test_duration);
  g_test_add_func ("/xapi/timestamp", test_timestamp);
  g_test_add_func ("/xapi/app-statements", test_app_statements);

  return g_test_run ();
}

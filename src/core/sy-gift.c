/* sy-gift.c — reading quizzes written in Moodle's GIFT format
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The subset read here: `//` comment lines, `$CATEGORY:` lines (ignored), `::Title::`,
 * `[markdown]`/`[html]`/`[plain]`/`[moodle]` prefixes (dropped), the escapes \~ \= \# \{ \}
 * \: \\ and \n, answer feedback `#…` and general feedback `####…`, and the question types
 * multiple choice (one `=` answer), multiple answers (weights `~%50%`), true-false, short
 * answer (only `=` answers), numeric (`{#3.5:0.1}`, `{#1..5}`, `{#=…}`) and matching
 * (`=left -> right`). An answer block in the middle of the text is a “missing word”
 * question: the prompt shows a blank where the block was.
 *
 * The package checker only checks that a .gift file is UTF-8, so this is where a trainer's
 * mistakes are found: every error names the line and says what to write instead.
 */
#define G_LOG_DOMAIN "ShuyuanCore"

#include "config.h"

#include <stdarg.h>

#include "sy-gift-private.h"
#include "sy-i18n.h"
#include "sy-util.h"

typedef struct
{
  const char  *file;
  const char  *text;    /* the whole file, nul-terminated, comment lines blanked out */
  GError     **error;
} Gift;

typedef struct
{
  char        marker;       /* '=' or '~' */
  const char *at;           /* where the answer starts, for error messages */
  gboolean    has_weight;
  double      weight;       /* percent */
  char       *text;         /* unescaped, as are the strings below */
  char       *left;         /* matching: the sides of "->" */
  char       *right;
  char       *feedback;     /* nullable */
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->text);
  g_free (entry->left);
  g_free (entry->right);
  g_free (entry->feedback);
  g_free (entry);
}

static gboolean gift_fail (Gift       *g,
                           const char *at,
                           const char *format,
                           ...) G_GNUC_PRINTF (3, 4);

static gboolean
gift_fail (Gift       *g,
           const char *at,
           const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  g_autofree char *where = NULL;
  guint line = 1;
  va_list args;

  for (const char *p = g->text; p < at && *p; p++)
    if (*p == '\n')
      line++;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  where = g_strdup_printf (_("line %u: %s"), line, msg);
  g_set_error (g->error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE, "%s: %s", g->file, where);
  return FALSE;
}

/* ---- scanning ---- */

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && g_ascii_isspace (*p))
    p++;
  return p;
}

static const char *
trim_end (const char *start,
          const char *end)
{
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  return end;
}

/* The first @needle in [p, end) that is not escaped by a backslash. */
static const char *
find_unescaped (const char *p,
                const char *end,
                const char *needle)
{
  gsize len = strlen (needle);

  while (p < end)
    {
      if (*p == '\\' && p + 1 < end)
        p += 2;
      else if ((gsize) (end - p) >= len && memcmp (p, needle, len) == 0)
        return p;
      else
        p++;
    }
  return NULL;
}

static const char *
find_marker (const char *p,
             const char *end)
{
  const char *eq = find_unescaped (p, end, "=");
  const char *tilde = find_unescaped (p, end, "~");

  if (eq == NULL || (tilde != NULL && tilde < eq))
    return tilde;
  return eq;
}

static void
unescape_into (GString    *out,
               const char *p,
               const char *end)
{
  while (p < end)
    {
      if (*p == '\\' && p + 1 < end)
        {
          switch (p[1])
            {
            case '~': case '=': case '#': case '{': case '}': case ':': case '\\':
              g_string_append_c (out, p[1]);
              p += 2;
              continue;
            case 'n':
              g_string_append_c (out, '\n');
              p += 2;
              continue;
            default:
              break;
            }
        }
      g_string_append_c (out, *p++);
    }
}

/* The text of [from, to): each line trimmed, empty lines (such as blanked comments)
 * dropped, escapes resolved. */
static char *
clean_text (const char *from,
            const char *to)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *line = from;

  while (line < to)
    {
      const char *nl = memchr (line, '\n', to - line);
      const char *line_end = nl ? nl : to;
      const char *s = skip_space (line, line_end);
      const char *e = trim_end (s, line_end);

      if (s < e)
        {
          if (out->len > 0)
            g_string_append_c (out, '\n');
          unescape_into (out, s, e);
        }
      line = nl ? nl + 1 : to;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
option_id (guint index)
{
  char buf[16];
  guint n = 0;

  /* a … z, then aa, ab … like spreadsheet columns */
  for (index++; index > 0 && n < sizeof buf - 1; index = (index - 1) / 26)
    buf[n++] = 'a' + (index - 1) % 26;
  buf[n] = '\0';
  return g_strreverse (g_strdup (buf));
}

static SyText *
plain_or_null (const char *text)
{
  return text != NULL && text[0] != '\0' ? _sy_text_new_plain (text) : NULL;
}

/* ---- answers ---- */

static gboolean
parse_entry (Gift       *g,
             Entry      *entry,
             const char *p,
             const char *end)
{
  const char *hash, *arrow, *text_end;

  p = skip_space (p, end);
  if (p < end && *p == '%')
    {
      const char *close = memchr (p + 1, '%', end - p - 1);
      g_autofree char *weight = close ? g_strndup (p + 1, close - p - 1) : NULL;

      if (close == NULL || !_sy_number_parse (weight, &entry->weight))
        return gift_fail (g, entry->at,
                          _("a weight is a percentage between two “%%” signs, such as "
                            "~%%50%%right or ~%%-100%%wrong."));
      entry->has_weight = TRUE;
      p = close + 1;
    }

  hash = find_unescaped (p, end, "#");
  text_end = hash ? hash : end;
  if (hash != NULL)
    entry->feedback = clean_text (hash + 1, end);
  if ((arrow = find_unescaped (p, text_end, "->")) != NULL)
    {
      entry->left = clean_text (p, arrow);
      entry->right = clean_text (arrow + 2, text_end);
    }
  entry->text = clean_text (p, text_end);
  return TRUE;
}

/* Splits [p, end) into answers, each starting with an unescaped '=' or '~'. */
static gboolean
parse_entries (Gift       *g,
               const char *p,
               const char *end,
               GPtrArray  *entries)
{
  p = skip_space (p, end);
  if (p < end && *p != '=' && *p != '~')
    return gift_fail (g, p, _("an answer starts with “=” (right) or “~” (wrong). Shuyuan "
                              "reads multiple-choice, true-false, short-answer, matching and "
                              "numeric GIFT questions."));
  while (p < end)
    {
      const char *next = find_marker (p + 1, end);
      Entry *entry = g_new0 (Entry, 1);

      g_ptr_array_add (entries, entry);
      entry->marker = *p;
      entry->at = p;
      if (!parse_entry (g, entry, p + 1, next ? next : end))
        return FALSE;
      p = next ? next : end;
    }
  return TRUE;
}

static gboolean
full_marks (Entry *entry)
{
  return !entry->has_weight || entry->weight >= 100;
}

/* The question's feedback is that of the first right answer that has one. */
static void
take_feedback (char  **feedback,
               Entry  *entry)
{
  if (*feedback == NULL && entry->feedback != NULL && entry->feedback[0] != '\0')
    *feedback = g_strdup (entry->feedback);
}

static gboolean
parse_number_answer (Gift       *g,
                     const char *at,
                     const char *spec,
                     SyQuestion *q)
{
  const char *range = strstr (spec, "..");
  const char *colon = strchr (spec, ':');
  double a, b;

  if (range != NULL)
    {
      g_autofree char *low = g_strndup (spec, range - spec);

      if (_sy_number_parse (low, &a) && _sy_number_parse (range + 2, &b) && a <= b)
        {
          /* the midpoint of [a, b], the half-width as tolerance, so that exactly a and b
           * are still accepted */
          q->answer_number = a + (b - a) / 2;
          q->tolerance = (b - a) / 2;
          return TRUE;
        }
    }
  else if (colon != NULL)
    {
      g_autofree char *value = g_strndup (spec, colon - spec);

      if (_sy_number_parse (value, &a) && _sy_number_parse (colon + 1, &b) && b >= 0)
        {
          q->answer_number = a;
          q->tolerance = b;
          return TRUE;
        }
    }
  else if (_sy_number_parse (spec, &a))
    {
      q->answer_number = a;
      q->tolerance = 0;
      return TRUE;
    }

  return gift_fail (g, at, _("“%s” is not a numeric answer. Write {#3.5}, {#3.5:0.1} for an "
                             "answer and how far from it is still right, or {#1..5} for a "
                             "range."), spec);
}

static gboolean
parse_numeric (Gift        *g,
               SyQuestion  *q,
               const char  *p,
               const char  *end,
               char       **feedback)
{
  q->type = SY_QUESTION_NUMERIC;
  p = skip_space (p, end);

  if (p < end && (*p == '=' || *p == '~'))
    {
      g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);

      if (!parse_entries (g, p, end, entries))
        return FALSE;
      /* partial credit is not graded: the first answer with full marks is the answer */
      for (guint i = 0; i < entries->len; i++)
        {
          Entry *entry = g_ptr_array_index (entries, i);

          if (entry->marker != '=' || !full_marks (entry))
            continue;
          take_feedback (feedback, entry);
          return parse_number_answer (g, entry->at, entry->text, q);
        }
      return gift_fail (g, p, _("no answer gets full marks. Give at least one right answer "
                                "without a weight, such as =right."));
    }
  else
    {
      const char *hash = find_unescaped (p, end, "#");
      g_autofree char *spec = clean_text (p, hash ? hash : end);

      if (hash != NULL)
        *feedback = clean_text (hash + 1, end);
      return parse_number_answer (g, p, spec, q);
    }
}

/* {T}, {TRUE}, {F}, {FALSE}, optionally followed by #feedback if wrong#feedback if right. */
static gboolean
parse_true_false (SyQuestion  *q,
                  const char  *p,
                  const char  *end,
                  char       **feedback)
{
  const char *hash = find_unescaped (p, end, "#");
  g_autofree char *word = g_strndup (p, trim_end (p, hash ? hash : end) - p);

  if (g_ascii_strcasecmp (word, "t") == 0 || g_ascii_strcasecmp (word, "true") == 0)
    q->answer_bool = TRUE;
  else if (g_ascii_strcasecmp (word, "f") == 0 || g_ascii_strcasecmp (word, "false") == 0)
    q->answer_bool = FALSE;
  else
    return FALSE;

  q->type = SY_QUESTION_TRUE_FALSE;
  if (hash != NULL)
    {
      const char *right = find_unescaped (hash + 1, end, "#");

      if (right != NULL)
        {
          const char *next = find_unescaped (right + 1, end, "#");
          *feedback = clean_text (right + 1, next ? next : end);
        }
    }
  return TRUE;
}

static gboolean
parse_choice (Gift        *g,
              SyQuestion  *q,
              const char  *p,
              const char  *end,
              char       **feedback)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func (g_free);
  guint n_right = 0, n_wrong = 0, n_pairs = 0;
  Entry *second_right = NULL;

  if (!parse_entries (g, p, end, entries))
    return FALSE;

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (entry->left != NULL)
        n_pairs++;
      if (entry->marker == '~')
        n_wrong++;
      else if (++n_right == 2)
        second_right = entry;
    }

  if (n_pairs > 0)
    {
      q->type = SY_QUESTION_MATCHING;
      for (guint i = 0; i < entries->len; i++)
        {
          Entry *entry = g_ptr_array_index (entries, i);
          g_autoptr(SyText) left = NULL;
          g_autoptr(SyText) right = NULL;
          g_autofree char *id = option_id (i);

          if (entry->marker != '=' || entry->left == NULL)
            return gift_fail (g, entry->at, _("in a matching question every answer is "
                                              "written =left -> right."));
          if (entry->left[0] == '\0' || entry->right[0] == '\0')
            return gift_fail (g, entry->at, _("write a text on both sides of “->”."));
          left = _sy_text_new_plain (entry->left);
          right = _sy_text_new_plain (entry->right);
          _sy_question_add_option (q, id, left, right);
          take_feedback (feedback, entry);
        }
      if (entries->len < 2)
        return gift_fail (g, p, _("a matching question needs at least two pairs."));
      return TRUE;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (entry->text[0] == '\0')
        return gift_fail (g, entry->at, _("this answer is empty. Write its text after the "
                                          "“=” or “~”."));
    }

  if (n_wrong == 0)
    {
      g_autoptr(GPtrArray) originals = g_ptr_array_new ();

      q->type = SY_QUESTION_SHORT_TEXT;
      for (guint i = 0; i < entries->len; i++)
        {
          Entry *entry = g_ptr_array_index (entries, i);

          if (!full_marks (entry))
            continue;
          take_feedback (feedback, entry);
          g_ptr_array_add (originals, entry->text);
        }
      if (!_sy_question_set_accepted (q, originals))
        return gift_fail (g, p, _("no answer gets full marks. Give at least one right answer "
                                  "without a weight, such as =right."));
      return TRUE;
    }

  if (n_right > 1)
    return gift_fail (g, second_right->at,
                      _("a multiple-choice question has one right answer “=”. For several "
                        "right answers, give each a weight instead, such as ~%%50%%right."));
  if (entries->len < 2)
    return gift_fail (g, p, _("a multiple-choice question needs at least two answers."));

  q->type = n_right == 1 ? SY_QUESTION_SINGLE : SY_QUESTION_MULTIPLE;
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      g_autoptr(SyText) text = _sy_text_new_plain (entry->text);
      g_autofree char *id = option_id (i);
      gboolean right;

      /* With one “=” answer, weights on the others are Moodle's partial credit, which
       * Shuyuan does not give: they are simply wrong. */
      if (n_right == 1)
        right = entry->marker == '=';
      else
        right = entry->has_weight && entry->weight > 0;
      if (right)
        {
          take_feedback (feedback, entry);
          g_ptr_array_add (answers, g_strdup (id));
        }
      _sy_question_add_option (q, id, text, NULL);
    }
  if (answers->len == 0)
    return gift_fail (g, p, _("no answer is right. Mark the right answer with “=”, or give "
                              "the right answers a positive weight such as ~%%50%%right."));
  g_ptr_array_add (answers, NULL);
  q->answer_ids = (GStrv) g_ptr_array_free (g_steal_pointer (&answers), FALSE);
  return TRUE;
}

/* The answer block between @open ('{') and @close ('}'). */
static gboolean
parse_block (Gift       *g,
             SyQuestion *q,
             const char *open,
             const char *close)
{
  const char *p = open + 1, *end = close;
  const char *general_at = find_unescaped (p, end, "####");
  g_autofree char *general = NULL;
  g_autofree char *feedback = NULL;

  if (general_at != NULL)
    {
      general = clean_text (general_at + 4, end);
      end = general_at;
    }
  p = skip_space (p, end);
  end = trim_end (p, end);

  if (p == end)
    return gift_fail (g, open, _("essay questions {} are not supported, because every quiz "
                                 "question needs a right answer. Use a short answer such as "
                                 "{=word}, or ask it in a survey."));
  if (*p == '#')
    {
      if (!parse_numeric (g, q, p + 1, end, &feedback))
        return FALSE;
    }
  else if (!parse_true_false (q, p, end, &feedback) &&
           !parse_choice (g, q, p, end, &feedback))
    return FALSE;

  /* General feedback is what Moodle shows to everyone after the answer, which is what a
   * question's feedback is here; otherwise the right answer's feedback stands in. */
  if (general != NULL && general[0] != '\0')
    q->feedback = _sy_text_new_plain (general);
  else
    q->feedback = plain_or_null (feedback);
  return TRUE;
}

/* ---- questions ---- */

static const char *
skip_format (const char *p,
             const char *end)
{
  static const char * const formats[] = { "[markdown]", "[html]", "[plain]", "[moodle]" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      gsize len = strlen (formats[i]);

      if ((gsize) (end - p) >= len && g_ascii_strncasecmp (p, formats[i], len) == 0)
        return skip_space (p + len, end);
    }
  return p;
}

/* Parses the question in [start, end), a run of non-blank lines. Adds nothing if the run
 * holds only comments. */
static gboolean
parse_question (Gift       *g,
                const char *start,
                const char *end,
                GPtrArray  *questions,
                GPtrArray  *titles)
{
  g_autoptr(SyQuestion) q = NULL;
  g_autofree char *title = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GString) prompt = NULL;
  const char *p, *open, *close, *stray, *extra, *extra_close;

  p = skip_space (start, end);
  if (p == end)
    return TRUE;

  if (end - p >= 2 && p[0] == ':' && p[1] == ':')
    {
      const char *title_end = find_unescaped (p + 2, end, "::");

      if (title_end == NULL)
        return gift_fail (g, p, _("the title has no closing “::”. Write it as ::Title:: "
                                  "before the question."));
      title = clean_text (p + 2, title_end);
      p = skip_space (title_end + 2, end);
    }
  p = skip_format (p, end);

  open = find_unescaped (p, end, "{");
  if ((stray = find_unescaped (p, open ? open : end, "}")) != NULL)
    return gift_fail (g, stray, _("this “}” closes no answers. Write \\} for a “}” in the "
                                  "text."));
  if (open == NULL)
    return gift_fail (g, p, _("this question has no answers {…}. Shuyuan does not read GIFT "
                              "descriptions: put such text in a lesson, and separate "
                              "questions with a blank line."));
  close = find_unescaped (open + 1, end, "}");
  if ((stray = find_unescaped (open + 1, close ? close : end, "{")) != NULL)
    return gift_fail (g, stray, _("answers cannot hold a “{”. Close the answers with “}”, or "
                                  "write \\{ for a “{” in an answer."));
  if (close == NULL)
    return gift_fail (g, open, _("the answers opened here with “{” are not closed with “}”."));

  extra = find_unescaped (close + 1, end, "{");
  extra_close = find_unescaped (close + 1, end, "}");
  if (extra == NULL || (extra_close != NULL && extra_close < extra))
    extra = extra_close;
  if (extra != NULL)
    return gift_fail (g, extra, _("a question has only one set of answers {…}. Separate "
                                  "questions with a blank line."));

  q = _sy_question_new (SY_QUESTION_SINGLE);
  before = clean_text (p, open);
  after = clean_text (close + 1, end);
  prompt = g_string_new (before);
  if (after[0] != '\0')
    {
      /* a “missing word” question: the blank goes where the answers were */
      if (prompt->len > 0)
        g_string_append_c (prompt, ' ');
      g_string_append (prompt, "_____");
      if (!g_unichar_ispunct (g_utf8_get_char (after)))
        g_string_append_c (prompt, ' ');
      g_string_append (prompt, after);
    }
  if (prompt->len == 0)
    return gift_fail (g, p, _("the question has no text. Write it before the answers {…}."));
  q->prompt = _sy_text_new_plain (prompt->str);

  if (!parse_block (g, q, open, close))
    return FALSE;

  g_ptr_array_add (questions, g_steal_pointer (&q));
  g_ptr_array_add (titles, g_steal_pointer (&title));
  return TRUE;
}

/* A title that is a valid id is the question's id (the first time it is used), so that a
 * trainer who names questions keeps learners' records across edits that reorder them;
 * other questions are numbered by position. */
static void
assign_ids (GPtrArray *questions,
            GPtrArray *titles)
{
  g_autoptr(GHashTable) used = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < questions->len; i++)
    {
      SyQuestion *q = g_ptr_array_index (questions, i);
      const char *title = g_ptr_array_index (titles, i);

      if (sy_id_is_valid (title) && !g_hash_table_contains (used, title))
        {
          q->id = g_strdup (title);
          g_hash_table_add (used, q->id);
        }
    }
  for (guint i = 0; i < questions->len; i++)
    {
      SyQuestion *q = g_ptr_array_index (questions, i);

      for (guint k = 1; q->id == NULL; k++)
        {
          g_autofree char *id = k == 1 ? g_strdup_printf ("q%u", i + 1)
                                       : g_strdup_printf ("q%u-%u", i + 1, k);

          if (!g_hash_table_contains (used, id))
            {
              q->id = g_steal_pointer (&id);
              g_hash_table_add (used, q->id);
            }
        }
    }
}

static gboolean
line_is_blank (const char *p,
               const char *end)
{
  return skip_space (p, end) == end;
}

static gboolean
line_is_ignored (const char *p,
                 const char *end)
{
  p = skip_space (p, end);
  return (end - p >= 2 && p[0] == '/' && p[1] == '/') ||
         ((gsize) (end - p) >= strlen ("$CATEGORY:") &&
          strncmp (p, "$CATEGORY:", strlen ("$CATEGORY:")) == 0);
}

/**
 * _sy_gift_parse:
 * @data: the file's contents, valid UTF-8
 * @file_name: the name error messages start with
 *
 * Returns: (transfer full) (element-type SyQuestion) (nullable): the questions, with ids
 */
GPtrArray *
_sy_gift_parse (const char  *data,
                gsize        length,
                const char  *file_name,
                GError     **error)
{
  g_autofree char *text = g_strndup (data, length);
  g_autoptr(GPtrArray) questions =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _sy_question_free);
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) chunks = g_array_new (FALSE, FALSE, sizeof (const char *));
  const char *text_end = text + strlen (text);
  const char *chunk = NULL;
  Gift g = { file_name, text, error };

  if (g_str_has_prefix (text, "\xef\xbb\xbf"))
    memset (text, ' ', 3);

  /* Blank lines separate questions. Comment lines do not: Moodle drops them from within a
   * question, so they are blanked out only once the questions are found. */
  for (char *line = text; line < text_end;)
    {
      char *nl = memchr (line, '\n', text_end - line);
      char *line_end = nl ? nl : (char *) text_end;

      if (!line_is_blank (line, line_end) && chunk == NULL)
        chunk = line;
      else if (line_is_blank (line, line_end) && chunk != NULL)
        {
          g_array_append_val (chunks, chunk);
          g_array_append_val (chunks, line);
          chunk = NULL;
        }
      line = nl ? nl + 1 : line_end;
    }
  if (chunk != NULL)
    {
      g_array_append_val (chunks, chunk);
      g_array_append_val (chunks, text_end);
    }

  for (char *line = text; line < text_end;)
    {
      char *nl = memchr (line, '\n', text_end - line);
      char *line_end = nl ? nl : (char *) text_end;

      if (line_is_ignored (line, line_end))
        memset (line, ' ', line_end - line);
      line = nl ? nl + 1 : line_end;
    }

  for (guint i = 0; i < chunks->len; i += 2)
    if (!parse_question (&g, g_array_index (chunks, const char *, i),
                         g_array_index (chunks, const char *, i + 1), questions, titles))
      return NULL;

  if (questions->len == 0)
    {
      g_set_error (error, SY_QUIZ_ERROR, SY_QUIZ_ERROR_PARSE, "%s: %s", file_name,
                   _("the file holds no questions. Write each question followed by its "
                     "answers in {…}, with a blank line between questions."));
      return NULL;
    }

  assign_ids (questions, titles);
  return g_steal_pointer (&questions);
}

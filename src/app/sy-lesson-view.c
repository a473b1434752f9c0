/* sy-lesson-view.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lessons are CommonMark. They are turned into plain GTK widgets rather than shown in a
 * web view: WebKit is far too heavy for the old PCs in village clinics, and labels are
 * selectable, scale with the text size and are read by screen readers for free.
 *
 * Time on task is what continuing-education hours are certified from, so it is counted
 * conservatively: only while the lesson is on screen, in the active window, and the
 * learner did something in the view in the last two minutes. It is recorded in slices, so
 * a power cut loses at most one slice, and every counted second is recorded exactly once.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <adwaita.h>
#include <cmark.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "sy-lesson-view.h"
#include "sy-lesson-view-private.h"

#define IDLE_SECONDS      120
#define SLICE_SECONDS     60
#define MAX_IMAGE_WIDTH   720
/* How close to the bottom counts as the end: a pixel or two of rounding must not keep a
 * lesson from completing. */
#define END_TOLERANCE     4.0

struct _SyLessonView
{
  GtkWidget          parent_instance;

  SyStore           *store;
  SyLearner         *learner;
  SyCourse          *course;
  SyItem            *item;           /* owned by course */
  char              *content_dir;    /* canonical */
  char              *lesson_dir;     /* canonical */
  PangoLanguage     *language;       /* the lesson's, or NULL if unknown */

  GCancellable      *cancellable;    /* image loads */
  guint              n_pending_images;
  GPtrArray         *streams;        /* GtkMediaStream, for pausing when hidden */
  GHashTable        *anchors;        /* heading slug → its label */

  double             text_scale;
  double             pending_fraction;   /* scroll position to restore, or < 0 */

  /* time on task */
  GtkWindow         *window;
  gulong             active_handler;
  guint              timeout_id;
  guint              idle_limit;
  guint              slice_limit;
  guint              idle_seconds;   /* counted since the last activity */
  guint              slice;          /* counted and not yet recorded */
  double             counted;

  guint              manual_clock : 1;
  guint              launched : 1;
  guint              stopped : 1;
  guint              reached_end : 1;
  guint              completed : 1;

  /* template */
  GtkStack          *stack;
  GtkScrolledWindow *scrolled_window;
  GtkWidget         *content;
  AdwStatusPage     *error_page;
  GtkWidget         *footer;
  GtkImage          *done_icon;
  GtkLabel          *footer_label;
};

G_DEFINE_FINAL_TYPE (SyLessonView, sy_lesson_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT_SCALE,
  PROP_COMPLETED,
  N_PROPS
};

enum {
  COMPLETED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  MEDIA_NONE,
  MEDIA_AUDIO,
  MEDIA_VIDEO,
} MediaKind;

static void update_timer (SyLessonView *self);
static void check_end    (SyLessonView *self);

/* ---- paths ---- */

static MediaKind
media_kind (const char *path)
{
  static const char * const audio[] = { ".ogg", ".oga", ".mp3" };
  static const char * const video[] = { ".webm", ".mp4" };
  g_autofree char *lower = NULL;

  if (path == NULL)
    return MEDIA_NONE;
  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (audio); i++)
    if (g_str_has_suffix (lower, audio[i]))
      return MEDIA_AUDIO;
  for (guint i = 0; i < G_N_ELEMENTS (video); i++)
    if (g_str_has_suffix (lower, video[i]))
      return MEDIA_VIDEO;
  return MEDIA_NONE;
}

/* A package's links and images are relative to the lesson file. The package checker
 * already refused anything that leaves the package, but the installed files may have
 * been edited since: nothing outside the course folder is ever shown. */
static char *
resolve_path (SyLessonView *self,
              const char   *url)
{
  g_autofree char *part = NULL;
  g_autofree char *unescaped = NULL;
  g_autofree char *path = NULL;
  gsize len;

  if (url == NULL || url[0] == '\0' || url[0] == '#' || url[0] == '/' ||
      g_uri_peek_scheme (url) != NULL || self->lesson_dir == NULL)
    return NULL;

  part = g_strndup (url, strcspn (url, "?#"));
  unescaped = g_uri_unescape_string (part, NULL);
  if (unescaped == NULL || unescaped[0] == '\0' || g_path_is_absolute (unescaped))
    return NULL;

  path = g_canonicalize_filename (unescaped, self->lesson_dir);
  len = strlen (self->content_dir);
  if (!g_str_has_prefix (path, self->content_dir) || path[len] != G_DIR_SEPARATOR)
    {
      g_debug ("%s: “%s” is outside the course; not shown", self->item->id, url);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* GitHub-style anchors, so `[see](#washing-with-soap-and-water)` works; other characters
 * (Chinese included) are kept as they are. */
static char *
slugify (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text, -1);
  GString *slug = g_string_new (NULL);

  for (const char *p = lower; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        g_string_append_c (slug, '-');
      else if (g_unichar_isalnum (c) || c == '-' || c == '_')
        g_string_append_unichar (slug, c);
    }
  return g_string_free (slug, FALSE);
}

/* ---- text size and language ---- */

static PangoAttrList *
create_attributes (SyLessonView *self,
                   gboolean      with_language)
{
  PangoAttrList *attrs = NULL;

  if (!G_APPROX_VALUE (self->text_scale, 1.0, 0.001))
    {
      attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_scale_new (self->text_scale));
    }
  /* The lesson's language picks the right fonts: Chinese punctuation is shaped the
   * Chinese way (not the Japanese) even on a PC whose desktop is in English. */
  if (with_language && self->language != NULL)
    {
      if (attrs == NULL)
        attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_language_new (self->language));
    }
  return attrs;
}

/* A Pango scale multiplies whatever size the CSS gives a label, so headings, code and
 * captions keep their proportions at any text size. */
static void
apply_attributes (GtkWidget     *widget,
                  PangoAttrList *text_attrs,
                  PangoAttrList *marker_attrs)
{
  /* List markers are not in the lesson's language: a Chinese font's bullet is a speck. */
  if (GTK_IS_LABEL (widget))
    gtk_label_set_attributes (GTK_LABEL (widget),
                              gtk_widget_has_css_class (widget, "lesson-list-marker")
                              ? marker_attrs : text_attrs);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    apply_attributes (child, text_attrs, marker_attrs);
}

static void
update_attributes (SyLessonView *self)
{
  g_autoptr(PangoAttrList) text_attrs = create_attributes (self, TRUE);
  g_autoptr(PangoAttrList) plain_attrs = create_attributes (self, FALSE);

  apply_attributes (self->content, text_attrs, plain_attrs);
  gtk_label_set_attributes (self->footer_label, plain_attrs);
}

/* ---- rendering ---- */

static GtkWidget *
create_label (const char *markup,
              gboolean    use_markup)
{
  GtkWidget *label = gtk_label_new (NULL);

  if (use_markup)
    gtk_label_set_markup (GTK_LABEL (label), markup);
  else
    gtk_label_set_text (GTK_LABEL (label), markup);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  /* Long URLs and unbroken Chinese runs still wrap inside the column. */
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return label;
}

static gboolean activate_link_cb (GtkLabel     *label,
                                  const char   *uri,
                                  SyLessonView *self);

typedef struct
{
  SyLessonView *self;
  GtkBox       *box;             /* where blocks (images, media) go */
  gboolean      blocks;          /* whether images may become blocks here */
  GString      *markup;
  GPtrArray    *open_tags;       /* closing tags of the elements open, innermost last */
  GPtrArray    *reopen_tags;     /* their opening tags */
  gboolean      has_text;
  gunichar      last_char;
  GPtrArray    *media;           /* char * pairs: path, caption; added after the text */
} Inlines;

static void add_image (SyLessonView *self,
                       GtkBox       *box,
                       const char   *url,
                       const char   *alt);
static void add_media (SyLessonView *self,
                       GtkBox       *box,
                       const char   *path,
                       MediaKind     kind,
                       const char   *caption);

static void
inlines_init (Inlines      *inl,
              SyLessonView *self,
              GtkBox       *box,
              gboolean      blocks)
{
  inl->self = self;
  inl->box = box;
  inl->blocks = blocks;
  inl->markup = g_string_new (NULL);
  inl->open_tags = g_ptr_array_new_with_free_func (g_free);
  inl->reopen_tags = g_ptr_array_new_with_free_func (g_free);
  inl->has_text = FALSE;
  inl->last_char = 0;
  inl->media = g_ptr_array_new_with_free_func (g_free);
}

static void
inlines_clear (Inlines *inl)
{
  g_string_free (inl->markup, TRUE);
  g_ptr_array_unref (inl->open_tags);
  g_ptr_array_unref (inl->reopen_tags);
  g_ptr_array_unref (inl->media);
}

static void
append_text (Inlines    *inl,
             const char *text,
             gssize      len)
{
  g_autofree char *escaped = NULL;
  const char *end;

  if (text == NULL || len == 0)
    return;
  if (len < 0)
    len = strlen (text);

  /* a label does not start with the space that followed an image */
  if (!inl->has_text)
    while (len > 0 && g_ascii_isspace (*text))
      text++, len--;
  if (len == 0)
    return;

  escaped = g_markup_escape_text (text, len);
  g_string_append (inl->markup, escaped);

  for (const char *p = text; p < text + len; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      {
        inl->has_text = TRUE;
        break;
      }
  end = g_utf8_find_prev_char (text, text + len);
  if (end != NULL)
    inl->last_char = g_utf8_get_char (end);
}

static void
open_tag (Inlines    *inl,
          const char *opening,
          const char *closing)
{
  g_string_append (inl->markup, opening);
  g_ptr_array_add (inl->reopen_tags, g_strdup (opening));
  g_ptr_array_add (inl->open_tags, g_strdup (closing));
}

static void
close_tag (Inlines *inl)
{
  g_assert (inl->open_tags->len > 0);
  g_string_append (inl->markup, g_ptr_array_index (inl->open_tags, inl->open_tags->len - 1));
  g_ptr_array_remove_index (inl->open_tags, inl->open_tags->len - 1);
  g_ptr_array_remove_index (inl->reopen_tags, inl->reopen_tags->len - 1);
}

static GtkWidget *
create_text_label (SyLessonView *self,
                   const char   *markup)
{
  GtkWidget *label = create_label (markup, TRUE);

  gtk_widget_add_css_class (label, "lesson-text");
  g_signal_connect_object (label, "activate-link", G_CALLBACK (activate_link_cb), self, 0);
  return label;
}

/* Ends the text so far as one label; a block (an image) comes next. The elements open
 * around the break are closed and opened again after it. */
static void
flush_text (Inlines *inl)
{
  for (guint i = inl->open_tags->len; i > 0; i--)
    g_string_append (inl->markup, g_ptr_array_index (inl->open_tags, i - 1));

  if (inl->has_text)
    {
      g_strchomp (inl->markup->str);
      inl->markup->len = strlen (inl->markup->str);
      gtk_box_append (inl->box, create_text_label (inl->self, inl->markup->str));
    }

  g_string_truncate (inl->markup, 0);
  for (guint i = 0; i < inl->reopen_tags->len; i++)
    g_string_append (inl->markup, g_ptr_array_index (inl->reopen_tags, i));
  inl->has_text = FALSE;
  inl->last_char = 0;
}

static gunichar
first_char (cmark_node *node)
{
  for (; node != NULL; node = cmark_node_next (node))
    {
      const char *literal;
      gunichar c;

      switch (cmark_node_get_type (node))
        {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
          literal = cmark_node_get_literal (node);
          if (literal != NULL && literal[0] != '\0')
            return g_utf8_get_char (literal);
          break;

        case CMARK_NODE_EMPH:
        case CMARK_NODE_STRONG:
        case CMARK_NODE_LINK:
          if ((c = first_char (cmark_node_first_child (node))) != 0)
            return c;
          break;

        default:
          return 0;
        }
    }
  return 0;
}

static void
collect_plain (cmark_node *node,
               GString    *out)
{
  for (cmark_node *child = cmark_node_first_child (node);
       child != NULL;
       child = cmark_node_next (child))
    {
      switch (cmark_node_get_type (child))
        {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
          g_string_append (out, cmark_node_get_literal (child));
          break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
          g_string_append_c (out, ' ');
          break;
        default:
          collect_plain (child, out);
          break;
        }
    }
}

static char *
plain_text (cmark_node *node)
{
  GString *out = g_string_new (NULL);

  collect_plain (node, out);
  return g_strstrip (g_string_free (out, FALSE));
}

static void render_inlines (Inlines    *inl,
                            cmark_node *parent);

static void
render_inline (Inlines    *inl,
               cmark_node *node)
{
  const char *literal = cmark_node_get_literal (node);

  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_TEXT:
      append_text (inl, literal, -1);
      break;

    case CMARK_NODE_SOFTBREAK:
      {
        gunichar next = first_char (cmark_node_next (node));

        /* A line break in the source is a space in English, but nothing between two
         * Chinese characters. */
        if (inl->has_text && !(g_unichar_iswide (inl->last_char) && g_unichar_iswide (next)))
          g_string_append_c (inl->markup, ' ');
      }
      break;

    case CMARK_NODE_LINEBREAK:
      g_string_append_c (inl->markup, '\n');
      break;

    case CMARK_NODE_CODE:
      open_tag (inl, "<tt>", "</tt>");
      append_text (inl, literal, -1);
      close_tag (inl);
      break;

    case CMARK_NODE_HTML_INLINE:
      /* HTML is not rendered; a line break is the one tag trainers use in practice */
      if (literal != NULL && g_ascii_strncasecmp (literal, "<br", 3) == 0)
        g_string_append_c (inl->markup, '\n');
      break;

    case CMARK_NODE_EMPH:
      open_tag (inl, "<i>", "</i>");
      render_inlines (inl, node);
      close_tag (inl);
      break;

    case CMARK_NODE_STRONG:
      open_tag (inl, "<b>", "</b>");
      render_inlines (inl, node);
      close_tag (inl);
      break;

    case CMARK_NODE_LINK:
      {
        const char *url = cmark_node_get_url (node);
        g_autofree char *path = resolve_path (inl->self, url);
        MediaKind kind = media_kind (path);

        if (kind != MEDIA_NONE && inl->blocks)
          {
            /* the words stay in the sentence; the player follows the paragraph */
            render_inlines (inl, node);
            g_ptr_array_add (inl->media, g_strdup (path));
            g_ptr_array_add (inl->media, plain_text (node));
          }
        else if (url != NULL && url[0] != '\0')
          {
            g_autofree char *escaped = g_markup_escape_text (url, -1);
            g_autofree char *opening = NULL;
            const char *title = cmark_node_get_title (node);

            if (title != NULL && title[0] != '\0')
              {
                g_autofree char *escaped_title = g_markup_escape_text (title, -1);
                opening = g_strdup_printf ("<a href=\"%s\" title=\"%s\">", escaped, escaped_title);
              }
            else
              opening = g_strdup_printf ("<a href=\"%s\">", escaped);
            open_tag (inl, opening, "</a>");
            render_inlines (inl, node);
            close_tag (inl);
          }
        else
          render_inlines (inl, node);
      }
      break;

    case CMARK_NODE_IMAGE:
      {
        g_autofree char *alt = plain_text (node);

        if (inl->blocks)
          {
            flush_text (inl);
            add_image (inl->self, inl->box, cmark_node_get_url (node), alt);
          }
        else
          append_text (inl, alt, -1);
      }
      break;

    default:
      render_inlines (inl, node);
      break;
    }
}

static void
render_inlines (Inlines    *inl,
                cmark_node *parent)
{
  for (cmark_node *child = cmark_node_first_child (parent);
       child != NULL;
       child = cmark_node_next (child))
    render_inline (inl, child);
}

static void
render_paragraph (SyLessonView *self,
                  cmark_node   *node,
                  GtkBox       *box)
{
  Inlines inl;

  inlines_init (&inl, self, box, TRUE);
  render_inlines (&inl, node);
  flush_text (&inl);
  for (guint i = 0; i + 1 < inl.media->len; i += 2)
    {
      const char *path = g_ptr_array_index (inl.media, i);
      add_media (self, box, path, media_kind (path), g_ptr_array_index (inl.media, i + 1));
    }
  inlines_clear (&inl);
}

static void
render_heading (SyLessonView *self,
                cmark_node   *node,
                GtkBox       *box)
{
  static const char * const classes[] = { "title-1", "title-2", "title-3", "title-4" };
  int level = CLAMP (cmark_node_get_heading_level (node), 1, 6);
  g_autofree char *plain = plain_text (node);
  g_autofree char *slug = slugify (plain);
  GtkWidget *label;
  Inlines inl;

  inlines_init (&inl, self, box, FALSE);
  render_inlines (&inl, node);

  label = g_object_new (GTK_TYPE_LABEL,
                        "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING,
                        NULL);
  gtk_label_set_markup (GTK_LABEL (label), inl.markup->str);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, level,
                                  -1);
  gtk_widget_add_css_class (label, level <= 4 ? classes[level - 1] : "heading");
  gtk_widget_add_css_class (label, "lesson-heading");
  /* a heading belongs to what follows it: more space above than below */
  if (gtk_widget_get_first_child (GTK_WIDGET (box)) != NULL)
    gtk_widget_set_margin_top (label, level <= 2 ? 12 : 6);
  g_signal_connect_object (label, "activate-link", G_CALLBACK (activate_link_cb), self, 0);
  gtk_box_append (box, label);

  if (slug[0] != '\0' && !g_hash_table_contains (self->anchors, slug))
    g_hash_table_insert (self->anchors, g_steal_pointer (&slug), label);
  inlines_clear (&inl);
}

static void render_blocks (SyLessonView *self,
                           cmark_node   *parent,
                           GtkBox       *box,
                           guint         list_depth);

static void
render_list (SyLessonView *self,
             cmark_node   *node,
             GtkBox       *box,
             guint         list_depth)
{
  static const char * const bullets[] = { "•", "◦", "▪" };
  gboolean ordered = cmark_node_get_list_type (node) == CMARK_ORDERED_LIST;
  gboolean tight = cmark_node_get_list_tight (node);
  const char *delim = cmark_node_get_list_delim (node) == CMARK_PAREN_DELIM ? ")" : ".";
  int number = cmark_node_get_list_start (node);
  int spacing = tight ? 6 : 12;
  GtkWidget *grid = gtk_grid_new ();
  int row = 0;

  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  gtk_widget_add_css_class (grid, "lesson-list");

  for (cmark_node *item = cmark_node_first_child (node);
       item != NULL;
       item = cmark_node_next (item))
    {
      g_autofree char *text = ordered ? g_strdup_printf ("%d%s", number++, delim)
                                      : g_strdup (bullets[list_depth % G_N_ELEMENTS (bullets)]);
      GtkWidget *marker = gtk_label_new (text);
      GtkWidget *item_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, spacing);
      GtkWidget *first;

      gtk_label_set_xalign (GTK_LABEL (marker), ordered ? 1.0 : 0.5);
      gtk_widget_add_css_class (marker, "lesson-list-marker");
      gtk_widget_add_css_class (marker, "lesson-text");
      if (ordered)
        gtk_widget_add_css_class (marker, "numeric");

      render_blocks (self, item, GTK_BOX (item_box), list_depth + 1);

      /* The marker sits on the baseline of the item's first line, whatever its fonts
       * (a Chinese line is taller than the digits of its number): so the first block,
       * when it is text, shares the marker's grid row, and the rest go below it. */
      first = gtk_widget_get_first_child (item_box);
      if (GTK_IS_LABEL (first))
        {
          g_object_ref (first);
          gtk_box_remove (GTK_BOX (item_box), first);
          gtk_widget_set_valign (marker, GTK_ALIGN_BASELINE);
          gtk_widget_set_valign (first, GTK_ALIGN_BASELINE);
          gtk_widget_set_hexpand (first, TRUE);
          if (row > 0)
            {
              gtk_widget_set_margin_top (marker, spacing);
              gtk_widget_set_margin_top (first, spacing);
            }
          gtk_grid_attach (GTK_GRID (grid), marker, 0, row, 1, 1);
          gtk_grid_attach (GTK_GRID (grid), first, 1, row, 1, 1);
          g_object_unref (first);
          row++;

          if (gtk_widget_get_first_child (item_box) != NULL)
            {
              gtk_widget_set_margin_top (item_box, spacing);
              gtk_grid_attach (GTK_GRID (grid), item_box, 1, row++, 1, 1);
            }
          else
            g_object_unref (g_object_ref_sink (item_box));
        }
      else
        {
          gtk_widget_set_valign (marker, GTK_ALIGN_START);
          gtk_widget_set_hexpand (item_box, TRUE);
          if (row > 0)
            {
              gtk_widget_set_margin_top (marker, spacing);
              gtk_widget_set_margin_top (item_box, spacing);
            }
          gtk_grid_attach (GTK_GRID (grid), marker, 0, row, 1, 1);
          gtk_grid_attach (GTK_GRID (grid), item_box, 1, row++, 1, 1);
        }
    }

  gtk_box_append (box, grid);
}

static void
render_code_block (SyLessonView *self,
                   cmark_node   *node,
                   GtkBox       *box)
{
  g_autofree char *text = g_strdup (cmark_node_get_literal (node));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *label;

  g_strchomp (text);
  label = create_label (text, FALSE);
  gtk_label_set_wrap (GTK_LABEL (label), FALSE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_set_margin_top (label, 10);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);

  /* wide code scrolls sideways on its own instead of widening the page */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
  gtk_widget_add_css_class (scroller, "lesson-code");
  gtk_box_append (box, scroller);
}

static void
render_block (SyLessonView *self,
              cmark_node   *node,
              GtkBox       *box,
              guint         list_depth)
{
  GtkWidget *widget;

  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_PARAGRAPH:
      render_paragraph (self, node, box);
      break;

    case CMARK_NODE_HEADING:
      render_heading (self, node, box);
      break;

    case CMARK_NODE_LIST:
      render_list (self, node, box, list_depth);
      break;

    case CMARK_NODE_BLOCK_QUOTE:
      widget = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      gtk_widget_add_css_class (widget, "lesson-blockquote");
      render_blocks (self, node, GTK_BOX (widget), list_depth);
      gtk_box_append (box, widget);
      break;

    case CMARK_NODE_CODE_BLOCK:
      render_code_block (self, node, box);
      break;

    case CMARK_NODE_THEMATIC_BREAK:
      widget = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_set_margin_top (widget, 12);
      gtk_widget_set_margin_bottom (widget, 12);
      gtk_box_append (box, widget);
      break;

    case CMARK_NODE_HTML_BLOCK:
    default:
      /* raw HTML is not shown: lessons are plain CommonMark (docs/course-format.md) */
      break;
    }
}

static void
render_blocks (SyLessonView *self,
               cmark_node   *parent,
               GtkBox       *box,
               guint         list_depth)
{
  for (cmark_node *child = cmark_node_first_child (parent);
       child != NULL;
       child = cmark_node_next (child))
    render_block (self, child, box, list_depth);
}

/* ---- images and media ---- */

static void
load_image_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GError *error = NULL;
  int width = 0;
  int height = 0;

  /* SVGs are rasterized at their own size, big photos scaled to the column: decoding a
   * camera's 4000-pixel JPEG at full size would cost old PCs a lot of memory for nothing. */
  if (gdk_pixbuf_get_file_info (path, &width, &height) == NULL || width <= 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "%s is not an image this PC can show", path);
      return;
    }
  if (width > MAX_IMAGE_WIDTH)
    pixbuf = gdk_pixbuf_new_from_file_at_scale (path, MAX_IMAGE_WIDTH, -1, TRUE, &error);
  else
    pixbuf = gdk_pixbuf_new_from_file (path, &error);
  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

static void
image_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SyLessonView *self = SY_LESSON_VIEW (source);
  g_autoptr(GtkWidget) figure = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *picture = g_object_get_data (G_OBJECT (figure), "sy-picture");

  texture = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (texture != NULL)
    {
      AdwClamp *clamp = g_object_get_data (G_OBJECT (figure), "sy-clamp");
      int width = gdk_texture_get_width (texture);

      adw_clamp_set_maximum_size (clamp, width);
      adw_clamp_set_tightening_threshold (clamp, width);
      gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (texture));
    }
  else
    {
      g_debug ("%s: %s", self->item->id, error->message);
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (figure), "sy-clamp"), FALSE);
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (figure), "sy-missing"), TRUE);
    }

  g_assert (self->n_pending_images > 0);
  self->n_pending_images--;
  check_end (self);
}

static void
add_image (SyLessonView *self,
           GtkBox       *box,
           const char   *url,
           const char   *alt)
{
  g_autofree char *path = resolve_path (self, url);
  g_autoptr(GTask) task = NULL;
  MediaKind kind = media_kind (path);
  GtkWidget *figure;
  GtkWidget *clamp;
  GtkWidget *picture;
  GtkWidget *missing;

  if (kind != MEDIA_NONE)
    {
      add_media (self, box, path, kind, alt);
      return;
    }

  figure = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (figure, "lesson-figure");

  /* The clamp shows the picture at its own width, or narrower if the column is: a
   * picture that can shrink would otherwise be stretched to the column's width. */
  clamp = adw_clamp_new ();
  picture = gtk_picture_new ();
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_widget_set_overflow (picture, GTK_OVERFLOW_HIDDEN);
  if (alt != NULL && alt[0] != '\0')
    gtk_picture_set_alternative_text (GTK_PICTURE (picture), alt);
  adw_clamp_set_child (ADW_CLAMP (clamp), picture);
  gtk_box_append (GTK_BOX (figure), clamp);

  missing = gtk_image_new_from_icon_name ("image-missing-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (missing), 48);
  gtk_widget_add_css_class (missing, "dim-label");
  gtk_widget_set_visible (missing, FALSE);
  gtk_box_append (GTK_BOX (figure), missing);

  g_object_set_data (G_OBJECT (figure), "sy-clamp", clamp);
  g_object_set_data (G_OBJECT (figure), "sy-picture", picture);
  g_object_set_data (G_OBJECT (figure), "sy-missing", missing);

  if (alt != NULL && alt[0] != '\0')
    {
      GtkWidget *caption = create_label (alt, FALSE);

      gtk_label_set_xalign (GTK_LABEL (caption), 0.5);
      gtk_label_set_justify (GTK_LABEL (caption), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_box_append (GTK_BOX (figure), caption);
    }
  gtk_box_append (box, figure);

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      gtk_widget_set_visible (clamp, FALSE);
      gtk_widget_set_visible (missing, TRUE);
      return;
    }

  self->n_pending_images++;
  task = g_task_new (self, self->cancellable, image_loaded_cb, g_object_ref (figure));
  g_task_set_source_tag (task, add_image);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_task_run_in_thread (task, load_image_thread);
}

static void
stream_error_cb (GtkMediaStream *stream,
                 GParamSpec     *pspec,
                 GtkWidget      *error_label)
{
  GtkWidget *player = g_object_get_data (G_OBJECT (error_label), "sy-player");
  gboolean failed = gtk_media_stream_get_error (stream) != NULL;

  gtk_widget_set_visible (error_label, failed);
  gtk_widget_set_visible (player, !failed);
}

static void
add_media (SyLessonView *self,
           GtkBox       *box,
           const char   *path,
           MediaKind     kind,
           const char   *caption)
{
  g_autoptr(GtkMediaStream) stream = NULL;
  GtkWidget *figure;
  GtkWidget *player;
  GtkWidget *error_label;

  g_assert (kind != MEDIA_NONE);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return;

  figure = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (figure, "lesson-figure");
  gtk_widget_add_css_class (figure, kind == MEDIA_AUDIO ? "lesson-audio" : "lesson-video");

  stream = gtk_media_file_new_for_filename (path);
  g_object_set_data_full (G_OBJECT (stream), "sy-path", g_strdup (path), g_free);
  g_ptr_array_add (self->streams, g_object_ref (stream));

  if (kind == MEDIA_AUDIO)
    {
      player = gtk_media_controls_new (stream);
      gtk_widget_add_css_class (player, "card");
    }
  else
    {
      player = gtk_video_new ();
      gtk_video_set_media_stream (GTK_VIDEO (player), stream);
      gtk_widget_set_size_request (player, -1, 240);
    }
  if (caption != NULL && caption[0] != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (player),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, caption,
                                    -1);
  gtk_box_append (GTK_BOX (figure), player);

  /* Without GStreamer (or its codecs) nothing plays: say so rather than show dead controls. */
  error_label = create_label (_("This recording cannot be played on this computer."), FALSE);
  gtk_label_set_xalign (GTK_LABEL (error_label), 0.5);
  gtk_widget_add_css_class (error_label, "caption");
  gtk_widget_add_css_class (error_label, "error");
  gtk_box_append (GTK_BOX (figure), error_label);
  g_object_set_data (G_OBJECT (error_label), "sy-player", player);
  g_signal_connect_object (stream, "notify::error", G_CALLBACK (stream_error_cb), error_label, 0);
  stream_error_cb (stream, NULL, error_label);

  if (caption != NULL && caption[0] != '\0')
    {
      GtkWidget *label = create_label (caption, FALSE);

      gtk_label_set_xalign (GTK_LABEL (label), 0.5);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (figure), label);
    }
  gtk_box_append (box, figure);
}

static void
pause_media (SyLessonView *self)
{
  for (guint i = 0; self->streams != NULL && i < self->streams->len; i++)
    gtk_media_stream_pause (g_ptr_array_index (self->streams, i));
}

/* ---- links ---- */

static void
scroll_to_anchor (SyLessonView *self,
                  const char   *anchor)
{
  g_autofree char *unescaped = g_uri_unescape_string (anchor, NULL);
  g_autofree char *slug = slugify (unescaped ? unescaped : anchor);
  GtkWidget *target = g_hash_table_lookup (self->anchors, slug);
  graphene_point_t point;

  if (target == NULL ||
      !gtk_widget_compute_point (target, self->content, &GRAPHENE_POINT_INIT (0, 0), &point))
    return;
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled_window),
                            MAX (0, point.y - 12));
}

static gboolean
activate_link_cb (GtkLabel     *label,
                  const char   *uri,
                  SyLessonView *self)
{
  const char *scheme = g_uri_peek_scheme (uri);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *window = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  g_autofree char *path = NULL;

  if (scheme != NULL)
    {
      if (g_str_equal (scheme, "http") || g_str_equal (scheme, "https") ||
          g_str_equal (scheme, "mailto"))
        gtk_show_uri (window, uri, GDK_CURRENT_TIME);
      /* anything else (file:, javascript:…) is not something a lesson may open */
      return TRUE;
    }

  if (uri[0] == '#')
    {
      scroll_to_anchor (self, uri + 1);
      return TRUE;
    }

  if ((path = resolve_path (self, uri)) == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;

  for (guint i = 0; i < self->streams->len; i++)
    {
      GtkMediaStream *stream = g_ptr_array_index (self->streams, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (stream), "sy-path"), path) == 0)
        {
          gtk_media_stream_play (stream);
          return TRUE;
        }
    }

  /* Other lessons are opened from the course page, where their time is counted; a
   * handout (a PDF, a picture) opens in the PC's own viewer. */
  if (!g_str_has_suffix (path, ".md"))
    {
      g_autofree char *file_uri = g_filename_to_uri (path, NULL, NULL);

      if (file_uri != NULL)
        gtk_show_uri (window, file_uri, GDK_CURRENT_TIME);
    }
  return TRUE;
}

/* ---- time on task ---- */

static void
record_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(SyLessonView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = sy_store_record_finish (SY_STORE (source), result, &error);
  if (id == NULL)
    {
      g_warning ("Could not record the time spent on a lesson: %s", error->message);
      return;
    }
  if (self != NULL)
    g_signal_emit (self, signals[COMPLETED], 0);
}

static void
record (SyLessonView *self,
        SyVerb        verb,
        double        seconds)
{
  SyEvent event;

  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (self->learner);
  event.course_id = sy_course_get_id (self->course);
  event.item_id = self->item->id;
  event.item_type = SY_ITEM_LESSON;
  event.object_name = self->item->title;
  event.verb = verb;
  event.seconds = seconds;
  if (verb == SY_VERB_COMPLETED)
    event.completion = TRUE;

  /* No cancellable: what was counted is recorded even if the view is gone by then. */
  sy_store_record_async (self->store, &event, NULL, record_cb,
                         verb == SY_VERB_COMPLETED ? g_object_ref (self) : NULL);
}

static void
record_slice (SyLessonView *self)
{
  if (self->slice == 0 || self->store == NULL)
    return;
  record (self, SY_VERB_PROGRESSED, self->slice);
  self->slice = 0;
}

static void
update_footer (SyLessonView *self)
{
  g_autofree char *text = NULL;

  if (self->completed)
    text = g_strdup (_("Done"));
  else
    {
      int minimum = MAX (1, (int) ceil (self->item->minutes));
      int minutes = MIN ((int) (self->counted / 60), minimum);
      /* Translators: time spent reading a lesson, and the time it asks for */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d of %d minute", "%d of %d minutes",
                                           minimum),
                              minutes, minimum);
      if (self->counted >= self->item->minutes * 60 && !self->reached_end)
        {
          g_autofree char *more = g_steal_pointer (&text);
          /* Translators: %s is e.g. “8 of 8 minutes” */
          text = g_strdup_printf (_("%s · Read to the end to finish"), more);
        }
    }

  gtk_label_set_label (self->footer_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->done_icon), self->completed);
  if (self->completed)
    gtk_widget_add_css_class (GTK_WIDGET (self->footer_label), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->footer_label), "success");
}

static void
check_completion (SyLessonView *self)
{
  if (self->completed || self->stopped || !self->reached_end ||
      self->counted < self->item->minutes * 60)
    return;

  /* the seconds not yet recorded go with the completion, so none is lost or doubled */
  record (self, SY_VERB_COMPLETED, self->slice > 0 ? (double) self->slice : -1);
  self->slice = 0;
  self->completed = TRUE;
  update_footer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETED]);
}

static void
check_end (SyLessonView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  double page = gtk_adjustment_get_page_size (adjustment);

  /* Until the pictures are in, a short page may look like it has no more to read. */
  if (self->reached_end || self->n_pending_images > 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (self)) || page <= 0)
    return;

  if (gtk_adjustment_get_value (adjustment) + page >=
      gtk_adjustment_get_upper (adjustment) - END_TOLERANCE)
    {
      self->reached_end = TRUE;
      check_completion (self);
      update_footer (self);
    }
}

static gboolean
can_count (SyLessonView *self)
{
  return !self->stopped &&
         gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         self->window != NULL && gtk_window_is_active (self->window) &&
         self->idle_seconds < self->idle_limit;
}

/* One second of reading. */
static gboolean
count_second (SyLessonView *self)
{
  int old_minutes = (int) (self->counted / 60);

  if (!can_count (self))
    return FALSE;

  self->counted += 1;
  self->slice += 1;
  self->idle_seconds += 1;

  check_completion (self);
  if (self->slice >= self->slice_limit)
    record_slice (self);
  /* The learner has left: what was read so far is safe even if the PC is switched off. */
  if (self->idle_seconds >= self->idle_limit)
    record_slice (self);

  if ((int) (self->counted / 60) != old_minutes || self->counted >= self->item->minutes * 60)
    update_footer (self);
  return TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  SyLessonView *self = data;

  count_second (self);
  if (!can_count (self) || self->manual_clock)
    {
      self->timeout_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The timer only runs while seconds count: an idle lesson left open all day on a shared
 * PC wakes nobody up. */
static void
update_timer (SyLessonView *self)
{
  gboolean wanted = can_count (self) && !self->manual_clock;

  if (wanted && self->timeout_id == 0)
    {
      self->timeout_id = g_timeout_add (1000, tick_cb, self);
      g_source_set_name_by_id (self->timeout_id, "[shuyuan] lesson time");
    }
  else if (!wanted)
    g_clear_handle_id (&self->timeout_id, g_source_remove);
}

static void
note_activity (SyLessonView *self)
{
  gboolean was_idle = self->idle_seconds >= self->idle_limit;

  self->idle_seconds = 0;
  if (was_idle)
    update_timer (self);
}

static void
window_active_cb (SyLessonView *self)
{
  update_timer (self);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           SyLessonView             *self)
{
  note_activity (self);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           SyLessonView             *self)
{
  note_activity (self);
  return GDK_EVENT_PROPAGATE;
}

/* A plain controller rather than a click gesture: it can never take a press away from
 * the labels' selection or the players' buttons. */
static gboolean
event_cb (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          SyLessonView             *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_BUTTON_PRESS || type == GDK_TOUCH_BEGIN || type == GDK_TOUCHPAD_SWIPE ||
      type == GDK_TOUCHPAD_PINCH)
    note_activity (self);
  return GDK_EVENT_PROPAGATE;
}

/* Selectable labels take the arrow keys for an invisible caret, which helps nobody
 * reading: while the focus is on the text, the reading keys scroll the lesson. Controls
 * (a player's slider, a button) keep their keys. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SyLessonView          *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GdkModifierType mods = state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK);
  GtkScrollType scroll = GTK_SCROLL_NONE;
  gboolean handled = FALSE;

  note_activity (self);

  if (focus != NULL && focus != GTK_WIDGET (self) && !GTK_IS_LABEL (focus) &&
      !GTK_IS_SCROLLED_WINDOW (focus) && !GTK_IS_VIEWPORT (focus))
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      if (mods == 0)
        scroll = GTK_SCROLL_STEP_UP;
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      if (mods == 0)
        scroll = GTK_SCROLL_STEP_DOWN;
      break;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      if (mods == 0)
        scroll = GTK_SCROLL_PAGE_UP;
      break;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      if (mods == 0)
        scroll = GTK_SCROLL_PAGE_DOWN;
      break;
    case GDK_KEY_space:
      if (mods == 0)
        scroll = GTK_SCROLL_PAGE_DOWN;
      else if (mods == GDK_SHIFT_MASK)
        scroll = GTK_SCROLL_PAGE_UP;
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      if (mods == 0 || mods == GDK_CONTROL_MASK)
        scroll = GTK_SCROLL_START;
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      if (mods == 0 || mods == GDK_CONTROL_MASK)
        scroll = GTK_SCROLL_END;
      break;
    default:
      break;
    }

  if (scroll == GTK_SCROLL_NONE)
    return GDK_EVENT_PROPAGATE;
  g_signal_emit_by_name (self->scrolled_window, "scroll-child", scroll, FALSE, &handled);
  return GDK_EVENT_STOP;
}

static void
adjustment_changed_cb (GtkAdjustment *adjustment,
                       SyLessonView  *self)
{
  if (self->pending_fraction >= 0)
    {
      double value = self->pending_fraction * gtk_adjustment_get_upper (adjustment);

      self->pending_fraction = -1;
      gtk_adjustment_set_value (adjustment, value);
    }
  check_end (self);
}

static void
adjustment_value_changed_cb (GtkAdjustment *adjustment,
                             SyLessonView  *self)
{
  check_end (self);
}

/* ---- loading ---- */

static void
show_error (SyLessonView *self,
            const char   *message)
{
  adw_status_page_set_title (self->error_page, _("This lesson cannot be shown"));
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
load_lesson (SyLessonView *self)
{
  const char *relative = sy_text_get (self->item->file, NULL);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  cmark_node *document;
  gsize length;

  self->content_dir = g_canonicalize_filename (sy_course_get_content_dir (self->course), NULL);
  if (relative == NULL)
    {
      show_error (self, _("The course names no file for this lesson. Ask the course’s author for a corrected package."));
      return;
    }

  for (guint i = 0; i < sy_text_get_n_languages (self->item->file); i++)
    {
      const char *language = sy_text_get_language (self->item->file, i);

      if (language[0] != '\0' && g_strcmp0 (sy_text_lookup (self->item->file, language), relative) == 0)
        self->language = pango_language_from_string (language);
    }
  if (self->language == NULL && g_strv_length ((char **) sy_course_get_languages (self->course)) == 1)
    self->language = pango_language_from_string (sy_course_get_languages (self->course)[0]);

  path = g_canonicalize_filename (relative, self->content_dir);
  self->lesson_dir = g_path_get_dirname (path);
  if (!g_str_has_prefix (path, self->content_dir) || path[strlen (self->content_dir)] != G_DIR_SEPARATOR ||
      !g_file_get_contents (path, &text, &length, &error))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is the lesson's file and why it cannot be read */
      message = g_strdup_printf (_("%s could not be read: %s. Import the course again."),
                                 relative, error ? error->message : _("outside the course folder"));
      show_error (self, message);
      return;
    }

  document = cmark_parse_document (text, length, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  render_blocks (self, document, GTK_BOX (self->content), 0);
  cmark_node_free (document);
}

/* ---- GObject ---- */

static void
sy_lesson_view_map (GtkWidget *widget)
{
  SyLessonView *self = SY_LESSON_VIEW (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (sy_lesson_view_parent_class)->map (widget);

  if (!self->launched && !self->stopped)
    {
      self->launched = TRUE;
      record (self, SY_VERB_LAUNCHED, -1);
    }

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && self->window == NULL)
    {
      self->window = GTK_WINDOW (root);
      self->active_handler = g_signal_connect_object (root, "notify::is-active",
                                                      G_CALLBACK (window_active_cb), self,
                                                      G_CONNECT_SWAPPED);
    }

  /* Coming back to a lesson is activity: it was not left idle. */
  self->idle_seconds = 0;
  update_timer (self);
  check_end (self);
}

static void
sy_lesson_view_unmap (GtkWidget *widget)
{
  SyLessonView *self = SY_LESSON_VIEW (widget);

  GTK_WIDGET_CLASS (sy_lesson_view_parent_class)->unmap (widget);

  if (self->window != NULL)
    {
      g_clear_signal_handler (&self->active_handler, self->window);
      self->window = NULL;
    }
  update_timer (self);
  record_slice (self);
  pause_media (self);
}

static void
sy_lesson_view_dispose (GObject *object)
{
  SyLessonView *self = SY_LESSON_VIEW (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->window != NULL)
    {
      g_clear_signal_handler (&self->active_handler, self->window);
      self->window = NULL;
    }
  if (self->item != NULL)
    record_slice (self);
  g_cancellable_cancel (self->cancellable);
  pause_media (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), SY_TYPE_LESSON_VIEW);

  g_clear_pointer (&self->streams, g_ptr_array_unref);
  g_clear_pointer (&self->anchors, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->learner);
  self->item = NULL;
  g_clear_object (&self->course);

  G_OBJECT_CLASS (sy_lesson_view_parent_class)->dispose (object);
}

static void
sy_lesson_view_finalize (GObject *object)
{
  SyLessonView *self = SY_LESSON_VIEW (object);

  g_free (self->content_dir);
  g_free (self->lesson_dir);

  G_OBJECT_CLASS (sy_lesson_view_parent_class)->finalize (object);
}

static void
sy_lesson_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SyLessonView *self = SY_LESSON_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;
    case PROP_COMPLETED:
      g_value_set_boolean (value, self->completed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_lesson_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SyLessonView *self = SY_LESSON_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT_SCALE:
      sy_lesson_view_set_text_scale (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sy_lesson_view_class_init (SyLessonViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sy_lesson_view_dispose;
  object_class->finalize = sy_lesson_view_finalize;
  object_class->get_property = sy_lesson_view_get_property;
  object_class->set_property = sy_lesson_view_set_property;

  widget_class->map = sy_lesson_view_map;
  widget_class->unmap = sy_lesson_view_unmap;

  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL,
                         1.0, 2.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETED] =
    g_param_spec_boolean ("completed", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[COMPLETED] =
    g_signal_new ("completed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-lesson-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, stack);
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, content);
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, error_page);
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, footer);
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, done_icon);
  gtk_widget_class_bind_template_child (widget_class, SyLessonView, footer_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lessonview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sy_lesson_view_init (SyLessonView *self)
{
  GtkEventController *controller;
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);

  self->text_scale = 1.0;
  self->pending_fraction = -1;
  self->idle_limit = IDLE_SECONDS;
  self->slice_limit = SLICE_SECONDS;
  self->cancellable = g_cancellable_new ();
  self->streams = g_ptr_array_new_with_free_func (g_object_unref);
  self->anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Capture phase: activity anywhere in the view counts, whatever child handles it. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect_object (adjustment, "changed", G_CALLBACK (adjustment_changed_cb), self, 0);
  g_signal_connect_object (adjustment, "value-changed",
                           G_CALLBACK (adjustment_value_changed_cb), self, 0);
}

/**
 * sy_lesson_view_new:
 * @store: where time and completion are recorded
 * @learner: who is reading
 * @course: the course the lesson belongs to
 * @item: the lesson, an item of @course
 *
 * Returns: (transfer floating): a view of the lesson
 */
GtkWidget *
sy_lesson_view_new (SyStore   *store,
                    SyLearner *learner,
                    SyCourse  *course,
                    SyItem    *item)
{
  SyLessonView *self;

  g_return_val_if_fail (SY_IS_STORE (store), NULL);
  g_return_val_if_fail (SY_IS_LEARNER (learner), NULL);
  g_return_val_if_fail (SY_IS_COURSE (course), NULL);
  g_return_val_if_fail (item != NULL, NULL);

  self = g_object_new (SY_TYPE_LESSON_VIEW, NULL);
  self->store = g_object_ref (store);
  self->learner = g_object_ref (learner);
  self->course = g_object_ref (course);
  self->item = item;
  self->completed = item->status >= SY_STATUS_COMPLETED;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, sy_text_get (item->title, NULL),
                                  -1);
  load_lesson (self);
  update_attributes (self);
  update_footer (self);

  return GTK_WIDGET (self);
}

/**
 * sy_lesson_view_stop:
 *
 * Stops counting for good and records the time not yet recorded: call it when the
 * learner leaves the lesson.
 */
void
sy_lesson_view_stop (SyLessonView *self)
{
  g_return_if_fail (SY_IS_LESSON_VIEW (self));

  self->stopped = TRUE;
  update_timer (self);
  record_slice (self);
  pause_media (self);
}

/* Present mode shows the lesson on a projector: nobody is reading it as a learner, so
 * nothing is counted or recorded, and the footer (time read) is not shown. Call it before
 * the view is mapped. */
void
_sy_lesson_view_set_presenting (SyLessonView *self)
{
  g_return_if_fail (SY_IS_LESSON_VIEW (self));

  self->stopped = TRUE;
  self->launched = TRUE;
  update_timer (self);
  gtk_widget_set_visible (self->footer, FALSE);
}

double
sy_lesson_view_get_text_scale (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), 1.0);
  return self->text_scale;
}

/**
 * sy_lesson_view_set_text_scale:
 * @scale: 1.0 (the desktop's text size) to 2.0
 *
 * Scales all the lesson's text, keeping the reading position.
 */
void
sy_lesson_view_set_text_scale (SyLessonView *self,
                               double        scale)
{
  GtkAdjustment *adjustment;

  g_return_if_fail (SY_IS_LESSON_VIEW (self));

  scale = CLAMP (scale, 1.0, 2.0);
  if (G_APPROX_VALUE (self->text_scale, scale, 0.001))
    return;

  /* The text grows or shrinks around the reader: keep the same part of the lesson at the
   * top once the new layout is known. */
  adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  if (gtk_adjustment_get_upper (adjustment) > 0 && gtk_adjustment_get_value (adjustment) > 0)
    self->pending_fraction = gtk_adjustment_get_value (adjustment) / gtk_adjustment_get_upper (adjustment);

  self->text_scale = scale;
  update_attributes (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

gboolean
sy_lesson_view_get_completed (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), FALSE);
  return self->completed;
}

/**
 * sy_lesson_view_get_counted_seconds:
 *
 * Returns: the seconds counted as time on task since the view was created
 */
double
sy_lesson_view_get_counted_seconds (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), 0);
  return self->counted;
}

/* ---- for tests ---- */

void
_sy_lesson_view_set_limits (SyLessonView *self,
                            guint         idle_seconds,
                            guint         slice_seconds)
{
  g_return_if_fail (SY_IS_LESSON_VIEW (self));
  g_return_if_fail (idle_seconds > 0 && slice_seconds > 0);

  self->idle_limit = idle_seconds;
  self->slice_limit = slice_seconds;
  update_timer (self);
}

void
_sy_lesson_view_set_manual_clock (SyLessonView *self,
                                  gboolean      manual)
{
  g_return_if_fail (SY_IS_LESSON_VIEW (self));

  self->manual_clock = !!manual;
  update_timer (self);
}

/* Counts one second if seconds count now; returns whether it did. */
gboolean
_sy_lesson_view_tick (SyLessonView *self)
{
  gboolean counted;

  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), FALSE);

  counted = count_second (self);
  update_timer (self);
  return counted;
}

gboolean
_sy_lesson_view_is_counting (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), FALSE);
  return can_count (self);
}

gboolean
_sy_lesson_view_has_timer (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), FALSE);
  return self->timeout_id != 0;
}

gboolean
_sy_lesson_view_get_reached_end (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), FALSE);
  return self->reached_end;
}

GtkScrolledWindow *
_sy_lesson_view_get_scrolled_window (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), NULL);
  return self->scrolled_window;
}

GtkWidget *
_sy_lesson_view_get_content (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), NULL);
  return self->content;
}

const char *
_sy_lesson_view_get_footer_text (SyLessonView *self)
{
  g_return_val_if_fail (SY_IS_LESSON_VIEW (self), NULL);
  return gtk_label_get_label (self->footer_label);
}

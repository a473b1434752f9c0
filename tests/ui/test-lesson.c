/* test-lesson.c — the lesson view: rendering, text size and time on task, under Xvfb
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by run-under-xvfb.sh inside dbus-run-session. Each test imports a course into its
 * own data folder through the core API and shows one lesson in a window of its own. Time
 * is driven by the view's manual clock (_sy_lesson_view_tick), so the tests do not wait
 * minutes; one test lets the real one-second timer run briefly.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>

#include "sy-lesson-view-private.h"
#include "sy-lesson-view.h"
#include "sy-statement.h"
#include "sy-store.h"
#include "sy-util.h"
#include "ui-test-util.h"

#define HYGIENE_ID "vd-hand-hygiene-cold-chain"

/* ---- helpers ---- */

/* The first label whose text (without markup) starts with @prefix. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *prefix)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  ui_test_collect (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_str_has_prefix (gtk_label_get_text (labels->pdata[i]), prefix))
      return labels->pdata[i];
  return NULL;
}

static guint
count_labels (GtkWidget  *root,
              const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint n = 0;

  ui_test_collect (root, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (labels->pdata[i]), text) == 0)
      n++;
  return n;
}

static GtkWidget *
find_with_class (GtkWidget  *root,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  return NULL;
}

/* What the pointer moving over the view does. */
static void
move_pointer (SyLessonView *view)
{
  GtkEventController *motion = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_MOTION);

  g_assert_nonnull (motion);
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (motion), ==, GTK_PHASE_CAPTURE);
  g_signal_emit_by_name (motion, "motion", 12.0, 34.0);
}

static gboolean
press_key (SyLessonView *view,
           guint         keyval)
{
  GtkEventController *keys = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  g_assert_nonnull (keys);
  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
  return handled;
}

/* ---- statements ---- */

typedef struct
{
  guint  launched;
  guint  progressed;
  guint  completed;
  guint  zero_slices;   /* progressed with no time: must never happen */
  double seconds;
} Tally;

static void
tally_statements (SyStore    *store,
                  const char *item_id,
                  Tally      *tally)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  memset (tally, 0, sizeof *tally);
  g_assert_true (sy_store_export_statements (store, NULL, out, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  data = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      json_object *json;
      g_autoptr(SyStatementInfo) info = NULL;

      if (lines[i][0] == '\0')
        continue;
      json = json_tokener_parse (lines[i]);
      g_assert_nonnull (json);
      info = sy_statement_info_new (json, &error);
      g_assert_no_error (error);
      json_object_put (json);
      if (g_strcmp0 (info->item_id, item_id) != 0)
        continue;

      switch (info->verb)
        {
        case SY_VERB_LAUNCHED:
          tally->launched++;
          break;
        case SY_VERB_PROGRESSED:
          tally->progressed++;
          if (!(info->seconds > 0))
            tally->zero_slices++;
          break;
        case SY_VERB_COMPLETED:
          tally->completed++;
          break;
        default:
          break;
        }
      tally->seconds += info->seconds;
    }
}

static SyStatus
stored_status (SyStore    *store,
               SyLearner  *learner,
               const char *course_id,
               const char *item_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) course = NULL;
  SyItem *item;

  course = sy_store_get_course (store, course_id, sy_learner_get_uuid (learner), NULL, &error);
  g_assert_no_error (error);
  item = sy_course_find_item (course, item_id);
  g_assert_nonnull (item);
  return item->status;
}

static double
stored_seconds (SyStore    *store,
                SyLearner  *learner,
                const char *course_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  list = sy_store_list_progress (store, sy_learner_get_uuid (learner), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      SyCourseProgress *progress = list->pdata[i];

      if (g_strcmp0 (progress->course_id, course_id) == 0)
        return progress->seconds;
    }
  g_assert_not_reached ();
  return -1;
}

/* ---- fixture ---- */

typedef struct
{
  char         *data_dir;
  SyStore      *store;
  SyLearner    *learner;
  SyCourse     *course;
  char         *item_id;
  GtkWidget    *window;
  SyLessonView *view;
  guint         n_completed;
} Fixture;

static void
completed_cb (SyLessonView *view,
              Fixture      *f)
{
  f->n_completed++;
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (data));
}

static gboolean
window_inactive (gpointer data)
{
  return !gtk_window_is_active (GTK_WINDOW (data));
}

static gboolean
pictures_loaded (gpointer data)
{
  g_autoptr(GPtrArray) pictures = g_ptr_array_new ();

  ui_test_collect (data, GTK_TYPE_PICTURE, pictures);
  for (guint i = 0; i < pictures->len; i++)
    if (gtk_widget_is_visible (pictures->pdata[i]) &&
        gtk_picture_get_paintable (pictures->pdata[i]) == NULL)
      return FALSE;
  return TRUE;
}

static void
fixture_open_store (Fixture    *f,
                    GFile      *package)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SyCourse) imported = NULL;

  f->data_dir = g_dir_make_tmp ("shuyuan-lesson-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = sy_store_new (f->data_dir);
  g_assert_true (sy_store_open (f->store, NULL, &error));
  g_assert_no_error (error);

  imported = sy_store_import (f->store, package, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (imported);

  f->learner = sy_store_add_learner (f->store, "王医生", SY_ROLE_LEARNER, NULL, &error);
  g_assert_no_error (error);
  f->course = sy_store_get_course (f->store, sy_course_get_id (imported),
                                   sy_learner_get_uuid (f->learner), NULL, &error);
  g_assert_no_error (error);
}

/* Shows the lesson the way the app does: under a header bar, in a window of @width×@height. */
static void
fixture_show (Fixture    *f,
              const char *item_id,
              int         width,
              int         height)
{
  SyItem *item = sy_course_find_item (f->course, item_id);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  int size[2] = { width, height };

  g_assert_nonnull (item);
  f->item_id = g_strdup (item_id);
  f->view = SY_LESSON_VIEW (sy_lesson_view_new (f->store, f->learner, f->course, item));
  g_signal_connect (f->view, "completed", G_CALLBACK (completed_cb), f);
  gtk_widget_set_vexpand (GTK_WIDGET (f->view), TRUE);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (sy_text_get (item->title, NULL),
                                                         sy_text_get (sy_course_get_title (f->course), NULL)));
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->view));

  f->window = adw_window_new ();
  adw_window_set_content (ADW_WINDOW (f->window), box);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  g_object_set_data (G_OBJECT (f->window), "wanted-size", size);
  gtk_window_present (GTK_WINDOW (f->window));

  g_assert_true (ui_test_wait_for (ui_test_window_has_size, f->window));
  g_object_set_data (G_OBJECT (f->window), "wanted-size", NULL);
  g_assert_true (ui_test_wait_for (window_active, f->window));
  g_assert_true (ui_test_wait_for (pictures_loaded, f->view));
  ui_test_wait_frames (f->window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->view)));
}

static void
fixture_setup (Fixture    *f,
               const char *sample,
               const char *item_id,
               int         width,
               int         height)
{
  g_autoptr(GFile) package = ui_test_sample_file (sample);

  memset (f, 0, sizeof *f);
  fixture_open_store (f, package);
  fixture_show (f, item_id, width, height);
}

static void
fixture_close_window (Fixture *f)
{
  if (f->window == NULL)
    return;
  /* image loads and record callbacks unwind, then nothing holds the view any more */
  ui_test_destroy_and_wait_freed (GTK_WINDOW (g_steal_pointer (&f->window)),
                                  g_steal_pointer (&f->view));
}

static void
fixture_teardown (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  fixture_close_window (f);
  /* a synchronous call waits for the records queued before it */
  g_ptr_array_unref (sy_store_list_learners (f->store, NULL, NULL));
  ui_test_spin (50);
  g_clear_object (&f->course);
  g_clear_object (&f->learner);
  g_clear_object (&f->store);
  sy_rm_rf (f->data_dir, &error);
  g_assert_no_error (error);
  g_free (f->data_dir);
  g_free (f->item_id);
}

static GtkAdjustment *
vadjustment (Fixture *f)
{
  return gtk_scrolled_window_get_vadjustment (_sy_lesson_view_get_scrolled_window (f->view));
}

static void
scroll_to (Fixture *f,
           double   value)
{
  gtk_adjustment_set_value (vadjustment (f), value);
  ui_test_wait_frames (f->window);
}

static void
scroll_to_end (Fixture *f)
{
  GtkAdjustment *adj = vadjustment (f);

  scroll_to (f, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

/* ---- tests ---- */

/* Keyboard scrolling animates: these wait for where it ends. */
static gboolean
scrolled_to_page (gpointer data)
{
  GtkAdjustment *adj = data;

  return gtk_adjustment_get_value (adj) >= gtk_adjustment_get_page_size (adj) * 0.5;
}

static gboolean
scrolled_to_top (gpointer data)
{
  return gtk_adjustment_get_value (data) == 0;
}

static gboolean
scrolled_a_little (gpointer data)
{
  GtkAdjustment *adj = data;

  return gtk_adjustment_get_value (adj) > 0 &&
         gtk_adjustment_get_value (adj) < gtk_adjustment_get_page_size (adj) * 0.5;
}

static void
test_render (void)
{
  Fixture f;
  GtkWidget *content;
  GtkLabel *label;
  GtkWidget *quote;
  g_autoptr(GPtrArray) pictures = g_ptr_array_new ();
  g_autoptr(GPtrArray) lists = g_ptr_array_new ();

  fixture_setup (&f, "village-doctor-hygiene", "five-moments", 800, 600);
  content = _sy_lesson_view_get_content (f.view);

  /* headings */
  label = find_label (content, "The five moments for hand hygiene");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "title-1"));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (label)), ==,
                   GTK_ACCESSIBLE_ROLE_HEADING);
  label = find_label (content, "Good habits");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "title-2"));

  /* a paragraph: wrapping, selectable, with its emphasis as markup */
  label = find_label (content, "Germs that cause infections travel on our hands. Most of the time");
  g_assert_nonnull (label);
  g_assert_true (gtk_label_get_wrap (label));
  g_assert_true (gtk_label_get_selectable (label));
  g_assert_true (gtk_label_get_use_markup (label));
  g_assert_nonnull (strstr (gtk_label_get_label (label), "<b>hands</b>"));

  /* lists: five numbered moments, then bullets */
  ui_test_collect (content, GTK_TYPE_GRID, lists);
  g_assert_cmpuint (lists->len, ==, 2);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *marker = g_strdup_printf ("%u.", i);
      g_assert_cmpuint (count_labels (lists->pdata[0], marker), ==, 1);
    }
  g_assert_nonnull (find_label (lists->pdata[0], "Before touching a patient — for example"));
  g_assert_cmpuint (count_labels (lists->pdata[1], "•"), ==, 4);

  /* the block quote */
  quote = find_with_class (content, "lesson-blockquote");
  g_assert_nonnull (quote);
  g_assert_nonnull (find_label (quote, "Remember: clean hands at the right moment save lives."));

  /* the picture, loaded from the package at its own size */
  ui_test_collect (content, GTK_TYPE_PICTURE, pictures);
  g_assert_cmpuint (pictures->len, ==, 1);
  g_assert_nonnull (gtk_picture_get_paintable (pictures->pdata[0]));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (pictures->pdata[0])), ==, 480);
  g_assert_cmpstr (gtk_picture_get_alternative_text (pictures->pdata[0]), ==,
                   "A patient in bed, with the five moments around the bed");
  g_assert_nonnull (find_label (content, "A patient in bed, with the five moments around the bed"));

  /* the footer, before any time counted */
  g_assert_cmpstr (_sy_lesson_view_get_footer_text (f.view), ==, "0 of 8 minutes");

  /* keyboard: the reading keys scroll while the text has the focus */
  gtk_widget_grab_focus (GTK_WIDGET (f.view));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f.view)));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment (&f)), ==, 0);
  g_assert_true (press_key (f.view, GDK_KEY_Page_Down));
  g_assert_true (ui_test_wait_for (scrolled_to_page, vadjustment (&f)));
  g_assert_true (press_key (f.view, GDK_KEY_Home));
  g_assert_true (ui_test_wait_for (scrolled_to_top, vadjustment (&f)));
  g_assert_true (press_key (f.view, GDK_KEY_Down));
  g_assert_true (ui_test_wait_for (scrolled_a_little, vadjustment (&f)));
  g_assert_false (press_key (f.view, GDK_KEY_a));

  ui_test_save_screenshot (f.window, "lesson-en.png");
  fixture_teardown (&f);
}

static const char markdown_lesson[] =
  "# Markdown test\n"
  "\n"
  "Some `code`, a [link](https://example.org/) and [a section](#second-part).\n"
  "A second line\n"
  "joined.\n"
  "\n"
  "中文第一行\n"
  "中文第二行\n"
  "\n"
  "- one\n"
  "  - nested\n"
  "    - deeper\n"
  "- two\n"
  "\n"
  "3. three\n"
  "4. four\n"
  "\n"
  "```\n"
  "int main (void) { return 0; } /* a long line that does not wrap: it scrolls sideways on its own instead of widening the page */\n"
  "```\n"
  "\n"
  "---\n"
  "\n"
  "![A figure](media/figure.svg)\n"
  "\n"
  "Listen to [the song](media/song.ogg) twice.\n"
  "\n"
  "![Washing, filmed](media/clip.webm)\n"
  "\n"
  "<div>raw html is not shown</div>\n"
  "\n"
  "## Second part\n"
  "\n"
  "The end.\n";

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static const char figure_svg[] =
  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"180\">"
  "<rect width=\"320\" height=\"180\" fill=\"#9bd\"/></svg>";

static void
test_markdown (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *package_dir = g_dir_make_tmp ("shuyuan-package-XXXXXX", &error);
  g_autoptr(GFile) package = NULL;
  g_autofree char *installed = NULL;
  g_autofree char *lesson = NULL;
  g_autofree char *outside_dir = NULL;
  g_autoptr(GPtrArray) pictures = g_ptr_array_new ();
  g_autoptr(GPtrArray) controls = g_ptr_array_new ();
  g_autoptr(GPtrArray) videos = g_ptr_array_new ();
  g_autoptr(GPtrArray) separators = g_ptr_array_new ();
  g_autoptr(GPtrArray) scrollers = g_ptr_array_new ();
  GtkWidget *content;
  GtkLabel *label;
  GtkWidget *code;
  guint n_shown = 0;
  gboolean handled = FALSE;
  Fixture f;

  g_assert_no_error (error);
  write_file (package_dir, "course.json",
              "{\"format\": 1, \"id\": \"md-test\", \"version\": 1, \"programme\": \"retail\","
              " \"title\": \"Markdown\", \"languages\": [\"en\"], \"class_hours\": 1,"
              " \"modules\": [{\"id\": \"m\", \"title\": \"M\", \"items\": ["
              " {\"id\": \"md\", \"type\": \"lesson\", \"title\": \"Markdown\","
              "  \"file\": \"lessons/md.md\", \"minutes\": 1}]}]}");
  write_file (package_dir, "lessons/md.md", markdown_lesson);
  write_file (package_dir, "lessons/media/figure.svg", figure_svg);
  write_file (package_dir, "lessons/media/song.ogg", "not really a recording");
  write_file (package_dir, "lessons/media/clip.webm", "not really a film");
  package = g_file_new_for_path (package_dir);

  memset (&f, 0, sizeof f);
  fixture_open_store (&f, package);

  /* The installed lesson edited behind the checker's back to reach out of the course: a
   * real picture just outside the course folder must not be shown. */
  installed = g_canonicalize_filename (sy_course_get_content_dir (f.course), NULL);
  outside_dir = g_path_get_dirname (installed);
  write_file (outside_dir, "outside.svg", figure_svg);
  lesson = g_build_filename (installed, "lessons", "md.md", NULL);
  {
    g_autofree char *edited = g_strconcat (markdown_lesson,
                                           "\n![Outside](../../outside.svg)\n"
                                           "\n![Encoded](%2E%2E/%2E%2E/outside.svg)\n", NULL);
    g_file_set_contents (lesson, edited, -1, &error);
    g_assert_no_error (error);
  }

  fixture_show (&f, "md", 700, 500);
  content = _sy_lesson_view_get_content (f.view);

  /* inline markup: code, links; a soft break is a space in English… */
  label = find_label (content, "Some code, a link and a section. A second line joined.");
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_label (label), "<tt>code</tt>"));
  g_assert_nonnull (strstr (gtk_label_get_label (label), "<a href=\"https://example.org/\">link</a>"));
  /* …and nothing between Chinese characters */
  g_assert_nonnull (find_label (content, "中文第一行中文第二行"));

  /* nested lists, and an ordered one that starts at 3 */
  g_assert_cmpuint (count_labels (content, "•"), ==, 2);
  g_assert_cmpuint (count_labels (content, "◦"), ==, 1);
  g_assert_cmpuint (count_labels (content, "▪"), ==, 1);
  g_assert_cmpuint (count_labels (content, "3."), ==, 1);
  g_assert_cmpuint (count_labels (content, "4."), ==, 1);
  g_assert_cmpuint (count_labels (content, "1."), ==, 0);

  /* the code block: monospace, not wrapped, scrolling sideways */
  code = find_with_class (content, "lesson-code");
  g_assert_true (GTK_IS_SCROLLED_WINDOW (code));
  label = find_label (code, "int main (void)");
  g_assert_nonnull (label);
  g_assert_false (gtk_label_get_wrap (label));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "monospace"));
  ui_test_collect (content, GTK_TYPE_SCROLLED_WINDOW, scrollers);
  g_assert_cmpuint (scrollers->len, ==, 1);

  ui_test_collect (content, GTK_TYPE_SEPARATOR, separators);
  g_assert_cmpuint (separators->len, ==, 1);

  /* one picture shown; the two reaching outside the course are not */
  ui_test_collect (content, GTK_TYPE_PICTURE, pictures);
  for (guint i = pictures->len; i > 0; i--)
    if (gtk_widget_get_ancestor (pictures->pdata[i - 1], GTK_TYPE_VIDEO) != NULL)
      g_ptr_array_remove_index (pictures, i - 1);   /* the film's own */
  for (guint i = 0; i < pictures->len; i++)
    if (gtk_widget_is_visible (pictures->pdata[i]) &&
        gtk_picture_get_paintable (pictures->pdata[i]) != NULL)
      n_shown++;
  g_assert_cmpuint (pictures->len, ==, 3);
  g_assert_cmpuint (n_shown, ==, 1);
  g_assert_nonnull (find_label (content, "Outside"));

  /* a link to a recording gets a player after its paragraph; a film shows in place */
  ui_test_collect (content, GTK_TYPE_MEDIA_CONTROLS, controls);
  for (guint i = controls->len; i > 0; i--)
    if (gtk_widget_get_ancestor (controls->pdata[i - 1], GTK_TYPE_VIDEO) != NULL)
      g_ptr_array_remove_index (controls, i - 1);   /* the film's own */
  g_assert_cmpuint (controls->len, ==, 1);
  ui_test_collect (content, GTK_TYPE_VIDEO, videos);
  g_assert_cmpuint (videos->len, ==, 1);
  g_assert_nonnull (find_label (content, "Listen to the song twice."));

  g_assert_null (find_label (content, "raw html"));
  g_assert_nonnull (find_label (content, "The end."));

  ui_test_save_screenshot (f.window, "lesson-markdown.png");

  /* links: a section of the lesson scrolls there; nothing outside the course opens */
  label = find_label (content, "Some code");
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment (&f)), ==, 0);
  g_signal_emit_by_name (label, "activate-link", "#second-part", &handled);
  g_assert_true (handled);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment (&f)), >, 0);
  handled = FALSE;
  g_signal_emit_by_name (label, "activate-link", "../../outside.svg", &handled);
  g_assert_true (handled);
  handled = FALSE;
  g_signal_emit_by_name (label, "activate-link", "file:///etc/passwd", &handled);
  g_assert_true (handled);

  ui_test_save_screenshot (f.window, "lesson-markdown-end.png");
  fixture_teardown (&f);
  sy_rm_rf (package_dir, &error);
  g_assert_no_error (error);
}

static gboolean
completed_once (gpointer data)
{
  return ((Fixture *) data)->n_completed >= 1;
}

/* A lesson that fits on the screen has its end in view from the start. */
static void
test_short (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *package_dir = g_dir_make_tmp ("shuyuan-package-XXXXXX", &error);
  g_autoptr(GFile) package = NULL;
  Fixture f;

  g_assert_no_error (error);
  write_file (package_dir, "course.json",
              "{\"format\": 1, \"id\": \"short\", \"version\": 1, \"programme\": \"retail\","
              " \"title\": \"Short\", \"languages\": [\"en\"], \"class_hours\": 1,"
              " \"modules\": [{\"id\": \"m\", \"title\": \"M\", \"items\": ["
              " {\"id\": \"short\", \"type\": \"lesson\", \"title\": \"Short\","
              "  \"file\": \"short.md\", \"minutes\": 0.1}]}]}");
  write_file (package_dir, "short.md", "# Short\n\nOne line.\n");
  package = g_file_new_for_path (package_dir);

  memset (&f, 0, sizeof f);
  fixture_open_store (&f, package);
  fixture_show (&f, "short", 800, 600);
  _sy_lesson_view_set_manual_clock (f.view, TRUE);

  g_assert_true (_sy_lesson_view_get_reached_end (f.view));
  for (guint n = 0; n < 5; n++)
    g_assert_true (_sy_lesson_view_tick (f.view));
  g_assert_false (sy_lesson_view_get_completed (f.view));
  g_assert_cmpstr (_sy_lesson_view_get_footer_text (f.view), ==, "0 of 1 minute");
  g_assert_true (_sy_lesson_view_tick (f.view));
  g_assert_true (sy_lesson_view_get_completed (f.view));
  g_assert_true (ui_test_wait_for (completed_once, &f));
  g_assert_cmpint (stored_status (f.store, f.learner, "short", "short"), ==, SY_STATUS_COMPLETED);
  g_assert_cmpfloat (stored_seconds (f.store, f.learner, "short"), ==, 6);

  fixture_teardown (&f);
  sy_rm_rf (package_dir, &error);
  g_assert_no_error (error);
}

static gboolean
counted_five (gpointer data)
{
  return sy_lesson_view_get_counted_seconds (data) >= 5;
}

static void
test_time (void)
{
  Fixture f;
  GtkWidget *other;
  Tally tally;
  guint n;
  double counted;

  fixture_setup (&f, "village-doctor-hygiene", "five-moments", 800, 600);
  _sy_lesson_view_set_manual_clock (f.view, TRUE);
  _sy_lesson_view_set_limits (f.view, 3, 60);
  g_assert_false (_sy_lesson_view_has_timer (f.view));

  /* shown: launched, once */
  g_assert_cmpint (stored_status (f.store, f.learner, HYGIENE_ID, "five-moments"), ==,
                   SY_STATUS_IN_PROGRESS);
  tally_statements (f.store, "five-moments", &tally);
  g_assert_cmpuint (tally.launched, ==, 1);
  g_assert_cmpuint (tally.progressed, ==, 0);
  g_assert_cmpfloat (sy_lesson_view_get_counted_seconds (f.view), ==, 0);

  /* idle: after 3 seconds without activity, no more seconds count… */
  move_pointer (f.view);
  g_assert_true (_sy_lesson_view_is_counting (f.view));
  for (n = 0; n < 5; n++)
    _sy_lesson_view_tick (f.view);
  g_assert_cmpfloat (sy_lesson_view_get_counted_seconds (f.view), ==, 3);
  g_assert_false (_sy_lesson_view_is_counting (f.view));
  /* …and what was counted is recorded as soon as the learner is idle */
  tally_statements (f.store, "five-moments", &tally);
  g_assert_cmpuint (tally.progressed, ==, 1);
  g_assert_cmpfloat (tally.seconds, ==, 3);

  /* the pointer moving over the lesson is activity again */
  move_pointer (f.view);
  g_assert_true (_sy_lesson_view_is_counting (f.view));
  g_assert_true (_sy_lesson_view_tick (f.view));
  g_assert_cmpfloat (sy_lesson_view_get_counted_seconds (f.view), ==, 4);

  /* another window active: nothing counts */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  g_assert_true (ui_test_wait_for (window_inactive, f.window));
  move_pointer (f.view);
  g_assert_false (_sy_lesson_view_is_counting (f.view));
  for (n = 0; n < 3; n++)
    g_assert_false (_sy_lesson_view_tick (f.view));
  g_assert_cmpfloat (sy_lesson_view_get_counted_seconds (f.view), ==, 4);

  /* the real clock: its timer runs only while seconds count */
  _sy_lesson_view_set_limits (f.view, 100000, 60);
  _sy_lesson_view_set_manual_clock (f.view, FALSE);
  g_assert_false (_sy_lesson_view_has_timer (f.view));
  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_present (GTK_WINDOW (f.window));
  g_assert_true (ui_test_wait_for (window_active, f.window));
  g_assert_true (_sy_lesson_view_has_timer (f.view));
  g_assert_true (ui_test_wait_for (counted_five, f.view));
  _sy_lesson_view_set_manual_clock (f.view, TRUE);
  g_assert_false (_sy_lesson_view_has_timer (f.view));
  counted = sy_lesson_view_get_counted_seconds (f.view);
  g_assert_cmpfloat (counted, ==, floor (counted));

  /* the end reached before the minimum time: not completed */
  scroll_to_end (&f);
  g_assert_true (_sy_lesson_view_get_reached_end (f.view));
  while (sy_lesson_view_get_counted_seconds (f.view) < 8 * 60 - 1)
    g_assert_true (_sy_lesson_view_tick (f.view));
  ui_test_spin (100);
  g_assert_false (sy_lesson_view_get_completed (f.view));
  g_assert_cmpuint (f.n_completed, ==, 0);
  g_assert_cmpstr (_sy_lesson_view_get_footer_text (f.view), ==, "7 of 8 minutes");
  g_assert_cmpint (stored_status (f.store, f.learner, HYGIENE_ID, "five-moments"), ==,
                   SY_STATUS_IN_PROGRESS);

  /* the minimum reached: completed, once */
  g_assert_true (_sy_lesson_view_tick (f.view));
  g_assert_cmpfloat (sy_lesson_view_get_counted_seconds (f.view), ==, 8 * 60);
  g_assert_true (sy_lesson_view_get_completed (f.view));
  g_assert_true (ui_test_wait_for (completed_once, &f));
  g_assert_cmpint (stored_status (f.store, f.learner, HYGIENE_ID, "five-moments"), ==,
                   SY_STATUS_COMPLETED);
  g_assert_cmpstr (_sy_lesson_view_get_footer_text (f.view), ==, "Done");

  for (n = 0; n < 70; n++)
    g_assert_true (_sy_lesson_view_tick (f.view));
  scroll_to (&f, 0);
  scroll_to_end (&f);
  ui_test_spin (100);
  g_assert_cmpuint (f.n_completed, ==, 1);

  /* stop: the last slice recorded, nothing counted after */
  for (n = 0; n < 7; n++)
    g_assert_true (_sy_lesson_view_tick (f.view));
  counted = sy_lesson_view_get_counted_seconds (f.view);
  sy_lesson_view_stop (f.view);
  g_assert_false (_sy_lesson_view_tick (f.view));
  g_assert_false (_sy_lesson_view_is_counting (f.view));
  g_assert_cmpfloat (fabs (stored_seconds (f.store, f.learner, HYGIENE_ID) - counted), <=, 1);

  /* closing adds nothing: every second recorded once, never an empty slice */
  fixture_close_window (&f);
  g_assert_cmpfloat (stored_seconds (f.store, f.learner, HYGIENE_ID), ==, counted);
  tally_statements (f.store, "five-moments", &tally);
  g_assert_cmpuint (tally.launched, ==, 1);
  g_assert_cmpuint (tally.completed, ==, 1);
  g_assert_cmpuint (tally.zero_slices, ==, 0);
  g_assert_cmpfloat (tally.seconds, ==, counted);
  g_assert_cmpuint (f.n_completed, ==, 1);

  fixture_teardown (&f);
}

/* Hiding the view and closing the window record what was counted, without stop(). */
static void
test_unmap_dispose (void)
{
  Fixture f;
  Tally tally;

  fixture_setup (&f, "village-doctor-hygiene", "how-to-clean-hands", 800, 600);
  _sy_lesson_view_set_manual_clock (f.view, TRUE);

  for (guint n = 0; n < 5; n++)
    g_assert_true (_sy_lesson_view_tick (f.view));
  gtk_widget_set_visible (GTK_WIDGET (f.view), FALSE);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (f.view)));
  g_assert_false (_sy_lesson_view_tick (f.view));
  g_assert_cmpfloat (stored_seconds (f.store, f.learner, HYGIENE_ID), ==, 5);

  gtk_widget_set_visible (GTK_WIDGET (f.view), TRUE);
  ui_test_wait_frames (f.window);
  for (guint n = 0; n < 2; n++)
    g_assert_true (_sy_lesson_view_tick (f.view));
  g_assert_cmpfloat (sy_lesson_view_get_counted_seconds (f.view), ==, 7);

  fixture_close_window (&f);
  g_assert_cmpfloat (stored_seconds (f.store, f.learner, HYGIENE_ID), ==, 7);
  tally_statements (f.store, "how-to-clean-hands", &tally);
  g_assert_cmpuint (tally.launched, ==, 1);
  g_assert_cmpuint (tally.progressed, ==, 2);
  g_assert_cmpuint (tally.zero_slices, ==, 0);

  fixture_teardown (&f);
}

static void
test_already_completed (void)
{
  g_autoptr(GFile) package = ui_test_sample_file ("village-doctor-hygiene");
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  SyItem *item;
  SyEvent event;
  Tally tally;
  Fixture f;

  memset (&f, 0, sizeof f);
  fixture_open_store (&f, package);
  item = sy_course_find_item (f.course, "power-failure");
  sy_event_init (&event);
  event.learner_uuid = sy_learner_get_uuid (f.learner);
  event.course_id = HYGIENE_ID;
  event.item_id = "power-failure";
  event.item_type = SY_ITEM_LESSON;
  event.object_name = item->title;
  event.verb = SY_VERB_COMPLETED;
  event.completion = TRUE;
  id = sy_store_record (f.store, &event, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f.course);
  f.course = sy_store_get_course (f.store, HYGIENE_ID, sy_learner_get_uuid (f.learner), NULL, &error);
  g_assert_no_error (error);

  fixture_show (&f, "power-failure", 800, 600);
  g_assert_true (sy_lesson_view_get_completed (f.view));
  g_assert_cmpstr (_sy_lesson_view_get_footer_text (f.view), ==, "Done");

  _sy_lesson_view_set_manual_clock (f.view, TRUE);
  scroll_to_end (&f);
  for (guint n = 0; n < 8 * 60 + 5; n++)
    {
      if (n % 60 == 0)
        move_pointer (f.view);
      g_assert_true (_sy_lesson_view_tick (f.view));
    }
  ui_test_spin (100);
  g_assert_cmpuint (f.n_completed, ==, 0);

  fixture_close_window (&f);
  tally_statements (f.store, "power-failure", &tally);
  g_assert_cmpuint (tally.completed, ==, 1);
  g_assert_cmpfloat (tally.seconds, ==, 8 * 60 + 5);
  fixture_teardown (&f);
}

static void
test_text_scale (void)
{
  Fixture f;
  GtkWidget *content;
  GtkLabel *paragraph;
  GtkLabel *heading;
  GtkAdjustment *adj;
  int small_height, large_height, heading_small, heading_large;
  double fraction;

  fixture_setup (&f, "village-doctor-hygiene", "cold-chain-basics", 800, 600);
  content = _sy_lesson_view_get_content (f.view);
  paragraph = find_label (content, "The cold chain is all the people");
  heading = find_label (content, "The cold chain and the refrigerator");
  g_assert_nonnull (paragraph);
  g_assert_nonnull (heading);

  g_assert_cmpfloat (sy_lesson_view_get_text_scale (f.view), ==, 1.0);
  gtk_widget_measure (GTK_WIDGET (paragraph), GTK_ORIENTATION_VERTICAL, 600,
                      NULL, &small_height, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (heading), GTK_ORIENTATION_VERTICAL, 600,
                      NULL, &heading_small, NULL, NULL);

  /* part way down: the same part stays in view once the text grows */
  adj = vadjustment (&f);
  scroll_to (&f, gtk_adjustment_get_upper (adj) * 0.3);
  fraction = gtk_adjustment_get_value (adj) / gtk_adjustment_get_upper (adj);
  g_assert_cmpfloat (fraction, >, 0.2);

  g_object_set (f.view, "text-scale", 2.0, NULL);
  g_assert_cmpfloat (sy_lesson_view_get_text_scale (f.view), ==, 2.0);
  ui_test_wait_frames (f.window);
  ui_test_wait_frames (f.window);
  gtk_widget_measure (GTK_WIDGET (paragraph), GTK_ORIENTATION_VERTICAL, 600,
                      NULL, &large_height, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (heading), GTK_ORIENTATION_VERTICAL, 600,
                      NULL, &heading_large, NULL, NULL);
  g_test_message ("paragraph %d → %d px, heading %d → %d px",
                  small_height, large_height, heading_small, heading_large);
  g_assert_cmpint (large_height, >, small_height * 3 / 2);
  g_assert_cmpint (heading_large, >, heading_small * 3 / 2);
  g_assert_cmpfloat (fabs (gtk_adjustment_get_value (adj) / gtk_adjustment_get_upper (adj) - fraction),
                     <, 0.05);
  ui_test_save_screenshot (f.window, "lesson-text-scale-2.png");

  /* limits */
  sy_lesson_view_set_text_scale (f.view, 5.0);
  g_assert_cmpfloat (sy_lesson_view_get_text_scale (f.view), ==, 2.0);
  sy_lesson_view_set_text_scale (f.view, 0.5);
  g_assert_cmpfloat (sy_lesson_view_get_text_scale (f.view), ==, 1.0);
  ui_test_wait_frames (f.window);
  gtk_widget_measure (GTK_WIDGET (paragraph), GTK_ORIENTATION_VERTICAL, 600,
                      NULL, &large_height, NULL, NULL);
  g_assert_cmpint (large_height, ==, small_height);

  fixture_teardown (&f);
}

static void
test_chinese (void)
{
  Fixture f;
  GtkWidget *content;
  GtkLabel *label;

  g_setenv ("LANGUAGE", "zh_CN", TRUE);

  fixture_setup (&f, "village-doctor-hygiene", "five-moments", 1024, 600);
  content = _sy_lesson_view_get_content (f.view);

  label = find_label (content, "手卫生的五个时刻");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "title-1"));
  g_assert_nonnull (find_label (content, "引起感染的病菌，常常是靠手传来传去的。"));
  g_assert_nonnull (find_label (content, "接触病人前：比如摸脉搏"));
  g_assert_nonnull (find_label (content, "记住：在对的时刻洗手，能救命。"));
  ui_test_save_screenshot (f.window, "lesson-zh_CN.png");

  scroll_to_end (&f);
  ui_test_save_screenshot (f.window, "lesson-zh_CN-end.png");

  sy_lesson_view_set_text_scale (f.view, 1.5);
  scroll_to (&f, 0);
  ui_test_save_screenshot (f.window, "lesson-zh_CN-large.png");

  fixture_teardown (&f);
  g_unsetenv ("LANGUAGE");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) provider = NULL;

  ui_test_init (&argc, &argv, NULL);
  adw_init ();

  /* What AdwApplication loads for the app. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/shuyuan/Shuyuan/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/lesson/render", test_render);
  g_test_add_func ("/lesson/markdown", test_markdown);
  g_test_add_func ("/lesson/short", test_short);
  g_test_add_func ("/lesson/time", test_time);
  g_test_add_func ("/lesson/unmap-dispose", test_unmap_dispose);
  g_test_add_func ("/lesson/already-completed", test_already_completed);
  g_test_add_func ("/lesson/text-scale", test_text_scale);
  g_test_add_func ("/lesson/zh-CN", test_chinese);

  return g_test_run ();
}

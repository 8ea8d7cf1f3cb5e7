package mantis.app;

import io.grpc.Channel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import mantis.core.ActionChunk;
import mantis.core.Frame;
import mantis.sim.SimConfig;
import mantis.sim.TabletopSim;
import mantis.sim.TaskFamily;
import mantis.sim.client.EpisodeListener;
import mantis.sim.client.EpisodeResult;
import mantis.sim.client.FrameFormat;
import mantis.sim.client.SimClient;
import mantis.sim.record.EpisodeRecorder;

/** Runs seeded episodes per family through a {@link SimClient}, with progress on stderr. */
final class EpisodeRunner {
  private final Channel channel;
  private final int sizePx;
  private final FrameFormat format;
  private final double replanS;
  private final Path recordDir;
  private final PrintStream progress;
  private final String robot;

  EpisodeRunner(
      Channel channel,
      int sizePx,
      FrameFormat format,
      double replanS,
      Path recordDir,
      PrintStream progress) {
    this(channel, sizePx, format, replanS, recordDir, progress, null);
  }

  /** Like the other constructor, with the sim's arm ({@link SimConfig#robot()}; null: default). */
  EpisodeRunner(
      Channel channel,
      int sizePx,
      FrameFormat format,
      double replanS,
      Path recordDir,
      PrintStream progress,
      String robot) {
    this.robot = robot;
    this.channel = channel;
    this.sizePx = sizePx;
    this.format = format;
    this.replanS = replanS;
    this.recordDir = recordDir;
    this.progress = progress;
  }

  EvalReport run(List<TaskFamily> families, int episodes, long firstSeed) {
    EvalReport report = new EvalReport();
    TabletopSim sim =
        TabletopSim.create(
            robot == null ? SimConfig.defaults() : SimConfig.builder().optRobot(robot).build());
    for (TaskFamily family : families) {
      int ok = 0;
      for (int e = 0; e < episodes; e++) {
        long seed = firstSeed + e;
        SimClient client =
            SimClient.builder()
                .setChannel(channel)
                .optImageSize(sizePx, sizePx)
                .optFrameFormat(format)
                .optReplanIntervalS(replanS)
                .optCallTimeout(Duration.ofSeconds(10))
                .optListener(
                    recordDir == null ? new EpisodeListener() {} : new Recording(recordDir, sizePx))
                .build();
        EpisodeResult r = client.runEpisode(sim, seed, family);
        report.add(r);
        if (r.success()) {
          ok++;
        }
        long[] lat = r.latenciesNanos();
        progress.printf(
            "[%s %d/%d] seed %d: %s in %.1f s sim, %d calls, p50 %.2f ms, \"%s\"  (so far %d/%d)%n",
            family.name().toLowerCase(Locale.ROOT),
            e + 1,
            episodes,
            seed,
            r.success() ? "success" : "FAIL ",
            r.simTimeS(),
            r.calls(),
            Stats.percentile(lat, 50) / 1e6,
            r.instruction(),
            ok,
            e + 1);
      }
    }
    return report;
  }

  /** Records each episode to {@code dir/<family>-<seed>} with the sim's recorder. */
  private static final class Recording implements EpisodeListener {
    private final Path dir;
    private final int sizePx;
    private EpisodeRecorder recorder;

    Recording(Path dir, int sizePx) {
      this.dir = dir;
      this.sizePx = sizePx;
    }

    @Override
    public void onReset(TabletopSim sim) {
      recorder =
          EpisodeRecorder.builder()
              .setDirectory(
                  dir.resolve(sim.family().name().toLowerCase(Locale.ROOT) + "-" + sim.seed()))
              .setSim(sim)
              .optFrameSize(sizePx, sizePx)
              .build();
      recorder.start();
    }

    @Override
    public void onReply(TabletopSim sim, long step, Frame frame, ActionChunk chunk) {}

    @Override
    public void onStep(TabletopSim sim, double[] jointTargetsRad, boolean holding) {
      recorder.record(jointTargetsRad);
    }

    @Override
    public void onEnd(TabletopSim sim, EpisodeResult result) {
      recorder.close();
    }
  }
}

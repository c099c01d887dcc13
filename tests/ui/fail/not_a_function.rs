#[weft::main]
struct Main;

#[weft::test]
const TEST: () = ();

fn main() {
    let _ = Main;
    let () = TEST;
}
